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
