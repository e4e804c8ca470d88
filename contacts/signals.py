"""Signals sent by contacts.services, inside the service's transaction.

Receivers run with ``send()``, so an exception in a receiver rolls the whole
change back: there is never a status change without its journal note.

care_contact_changed
    Sent for every change of a client's status or contacts on a unit (a new
    CareContactChange row). The change knows what it changed
    (``status_changed``, ``ordinary_changed``, ``deputy_changed``, with the old
    values beside the new). kwargs: ``change`` (CareContactChange),
    ``care_contact`` (CareContact), ``by`` (User or None).

care_contacts_changed
    Sent by the contact import (services.CareContactChangeBatch.write) instead
    of care_contact_changed once per change: once for all the changes of a
    batch, after they are written (with their ids, anchors and periods). A
    receiver of care_contact_changed receives this one too and does for each
    change, in the order given, what it does for one (its app's bulk service,
    with the same decisions and texts). kwargs: ``changes`` (list of
    CareContactChange in the order they were made, with client, unit, the
    staff before and after and changed_by loaded), ``by`` (User or None).

client_moved
    Sent by services.client_move after the services have moved and the contact
    on the old unit has ended. kwargs: ``client``, ``from_unit``, ``to_unit``,
    ``on`` (first day on the new unit), ``by``, ``move`` (the ClientMove row).

execution_ended
    Sent when the last ongoing service of a client on a unit has an end date
    (handbook 1.11). kwargs: ``client``, ``unit``, ``last_day``, ``by``.

contact_change_requested
    Sent when a client's request for another contact is recorded.
    kwargs: ``request`` (ContactChangeRequest), ``by``.
"""

from django.dispatch import Signal

care_contact_changed = Signal()
care_contacts_changed = Signal()
client_moved = Signal()
execution_ended = Signal()
contact_change_requested = Signal()
