from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from contacts import access
from imports.importers import SPECS, row_count
from imports.importers import import_csv as run_import
from jobs.models import Job
from jobs.services import JobFailed, JobOutput, Progress, job_start
from jobs.views import status_context

# Larger than any export we have seen from a municipality's systems; protects
# the server from reading a mistaken upload (a zip, a video) into memory.
MAX_FILE_SIZE = 10 * 1024 * 1024

KIND_LABELS = {
    "units": _("Enheter"),
    "staff": _("Personal"),
    "clients": _("Brukare"),
    "services": _("Insatser"),
    "contacts": _("Fast omsorgskontakt (ändringar)"),
    "visits": _("Besök"),
    "users": _("Användare"),
}

# Short notes on the values of each kind, shown under its columns.
KIND_NOTES = {
    "units": _("Utförare anges med namn och skapas om den saknas."),
    "staff": _(
        "title: undersköterska, vårdbiträde, sjuksköterska, arbetsterapeut, fysioterapeut, "
        "enhetschef, samordnare eller övrig. units: enhetskoder åtskilda med mellanslag. "
        "available (standard ja), fok_selectable och permanent_on_2023_07_01 (standard nej): "
        "ja/nej."
    ),
    "clients": _(
        "personal_id: personnummer, samordningsnummer eller reservnummer; födelsedatum och "
        "kön hämtas därifrån."
    ),
    "services": _(
        "kind: personal_care, alarm, meals, shopping, cleaning, laundry, escort, relief eller "
        "other. Ett slutdatum avslutar verkställigheten på enheten när brukaren inte har "
        "någon annan pågående insats där."
    ),
    "contacts": _(
        "status: not_asked, no_need, declined, accepted (eller ”Brukaren tackar ja” osv.). "
        "ordinary och deputy: signaturer, bara med accepted; ordinary krävs då. Varje rad är "
        "en ändring som gäller från effective (standard i dag) och görs i datumordning med "
        "samma regler och journalanteckningar som i webbläsaren."
    ),
    "visits": _(
        "start och end: ÅÅÅÅ-MM-DD TT:MM, svensk tid. status: planned, performed, cancelled "
        "eller declined. kind: care (standard), alarm, meal eller health. staff och "
        "planned_staff: signaturer åtskilda med mellanslag. receipt: complete eller "
        "incomplete."
    ),
    "users": _(
        "role: unit_manager, coordinator, statistics, care_staff eller administrator (eller "
        "Enhetschef, Samordnare, Statistikläsare, Omsorgspersonal, Administratör); ersätter "
        "användarens tidigare roll. units: enhetskoder åtskilda med mellanslag. active: ja/nej "
        "(nej stänger av kontot, historiken finns kvar). staff: signaturen på användarens "
        "personalpost. Nya användare får inget lösenord: de loggar in med organisationens konto."
    ),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Vad importeras?"), choices=list(KIND_LABELS.items()))
    file = forms.FileField(
        label=_("CSV-fil"),
        help_text=_("UTF-8 (gärna ”CSV UTF-8” från Excel), semikolon eller komma."),
        error_messages={
            "required": _("Välj en fil."),
            "empty": _("Filen är tom."),
            "invalid": _("Välj en fil."),
        },
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(_("Filen är för stor (högst 10 MB)."))
        return upload


def _formats() -> list[dict[str, object]]:
    return [
        {
            "kind": kind,
            "label": KIND_LABELS[kind],
            "required": spec.required,
            "optional": spec.optional,
            "note": KIND_NOTES[kind],
        }
        for kind, spec in SPECS.items()
    ]


@require_http_methods(["GET", "POST"])
@login_required
@access.requires(access.may_import)
def import_csv(request: HttpRequest) -> HttpResponse:
    """The upload form. The import itself runs in the task worker (an
    18,000-row file must not hold a web worker); the page shows its progress
    and, when done, the counts or every problem (jobs app)."""
    job = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            upload = form.cleaned_data["file"]
            job = job_start(
                user=request.user,  # type: ignore[arg-type]  # login_required
                kind=Job.Kind.IMPORT,
                title=_("Import: %(kind)s (%(file)s)")
                % {"kind": KIND_LABELS[kind], "file": upload.name},
                params={"kind": kind, "file": upload.name},
                payload=upload.read(),
            )
            form = ImportForm()
    else:
        form = ImportForm()
    context = {"form": form, "formats": _formats(), "job": job}
    if job is not None:
        context.update(status_context(job))
    template = "imports/import.html"
    if getattr(request, "htmx", False):
        template += "#panel"
    return render(request, template, context)


def import_job(job: Job, progress: Progress) -> JobOutput:
    """The task worker's half: import the uploaded file as its owner."""
    user = job.user
    if not access.may_import(user):
        raise JobFailed(str(_("Du har inte längre behörighet att importera.")))
    kind = job.params.get("kind", "")
    if kind not in SPECS or job.payload is None:
        raise JobFailed(str(_("Filen finns inte längre; välj den igen.")))
    progress(5, str(_("Läser och kontrollerar filen")))

    def rows(done: int, total: int | None) -> None:
        # The file's first reading 5 %, checking and saving its rows 10-95 %.
        if total is None:
            progress(
                5, _("Läser och kontrollerar filen: %(rows)s rader") % {"rows": row_count(done)}
            )
        else:
            progress(
                10 + 85 * done // max(total, 1),
                _("Kontrollerar och sparar rad %(done)s av %(total)s")
                % {"done": row_count(done), "total": row_count(total)},
            )

    result = run_import(kind, bytes(job.payload), by=user, progress=rows)
    return JobOutput(
        data={
            "ok": result.ok,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.errors,
            "kind_label": str(KIND_LABELS[kind]),
        }
    )
