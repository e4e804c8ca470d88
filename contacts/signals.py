"""Signals sent by contacts.services, inside the service's transaction.

Receivers run with ``send()``, so an exception in a receiver rolls the whole
change back: there is never a status change without its journal note.

consent_status_changed
    Sent when a change sets a new status (not asked / no need / declines / accepts).
    kwargs: ``change`` (CareContactChange, with old and new values),
    ``care_contact`` (CareContact), ``by`` (User or None).

care_contact_appointed
    Sent when a change sets a new ordinary or deputy contact (or removes one).
    kwargs: as for consent_status_changed.
"""

from django.dispatch import Signal

consent_status_changed = Signal()
care_contact_appointed = Signal()

# client_moved
#     Sent by services.client_move after the services have moved and the contact
#     on the old unit has ended. kwargs: ``client``, ``from_unit``, ``to_unit``,
#     ``on`` (first day on the new unit), ``by``.
client_moved = Signal()

# execution_ended
#     Sent when the last ongoing service of a client on a unit has an end date
#     (handbook 1.11). kwargs: ``client``, ``unit``, ``last_day``, ``by``.
execution_ended = Signal()

# contact_change_requested
#     Sent when a client's request for another contact is recorded.
#     kwargs: ``request`` (ContactChangeRequest), ``by``.
contact_change_requested = Signal()
