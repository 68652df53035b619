"""CSV import of prospects and deals, and CSV export that spreadsheets cannot run.

An import goes upload -> column mapping -> preview -> import. Every row is
checked before anything is written; one bad row means nothing is imported,
and each error names its line in the file (the header is line 1). Rows are
upserted on their CRM id and a row whose values already match is left alone,
so importing the same file twice changes nothing.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from insights.models import Deal, DealStage, ImportJob, Outcome
from insights.services import outcomes_changed, prospects_changed
from sales.models import Prospect, Source, Stage
from sales.roles import SALES_GROUPS

logger = logging.getLogger(__name__)

CHUNK = 500
PREVIEW_ROWS = 10
SHOWN_ERRORS = 200


class ImportProblem(Exception):
    """The file as a whole cannot be read (encoding, size, no header)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    required: bool = False
    help: str = ""
    parse: Callable[[str, "Context"], object] | None = None


@dataclass
class Context:
    """What row checks look up: the team, and prospects named in the file.

    ``restricted`` is set for a salesperson who is not a manager: they may
    only import their own prospects and deals on them (``foreign`` holds CRM
    ids of prospects that belong to someone else).
    """

    owners: dict[str, int]
    default_owner_id: int
    prospects: dict[str, int]
    restricted: bool = False
    foreign: frozenset = frozenset()


def text(limit: int):
    def parse(value: str, context: Context):
        if len(value) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return value

    return parse


def choice(choices):
    by_value = {str(value).lower(): value for value, _ in choices.choices}
    by_label = {str(label).lower(): value for value, label in choices.choices}

    def parse(value: str, context: Context):
        key = value.lower()
        if key in by_value:
            return by_value[key]
        if key in by_label:
            return by_label[key]
        allowed = ", ".join(str(v) for v in choices.values)
        raise ValueError(f"“{value}” is not one of {allowed}")

    return parse


def a_date(value: str, context: Context) -> date:
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"“{value}” is not a date (YYYY-MM-DD)")
    return parsed


def a_datetime(value: str, context: Context) -> datetime:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        day = a_date(value, context)
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def money(value: str, context: Context) -> Decimal:
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{value}” is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(f"“{value}” is not an amount between 0 and a trillion")
    return amount.quantize(Decimal("0.01"))


def currency(value: str, context: Context) -> str:
    if len(value) != 3 or not value.isalpha():
        raise ValueError(f"“{value}” is not a three-letter currency code")
    return value.upper()


def owner(value: str, context: Context) -> int:
    found = context.owners.get(value.lower())
    if found is None:
        raise ValueError(f"no salesperson with the username or email “{value}”")
    if context.restricted and found != context.default_owner_id:
        raise ValueError("can only be yourself")
    return found


def prospect_ref(value: str, context: Context) -> int:
    found = context.prospects.get(value)
    if found is None:
        raise ValueError(f"no prospect with the CRM id “{value}”")
    if value in context.foreign:
        raise ValueError(f"“{value}” is another salesperson's prospect")
    return found


def own_crm_id(value: str, context: Context) -> str:
    if len(value) > 64:
        raise ValueError("is longer than 64 characters")
    if value in context.foreign:
        raise ValueError(f"“{value}” is another salesperson's prospect")
    return value


PROSPECT_FIELDS = [
    FieldSpec("crm_id", "CRM id", True, "The key rows are matched on.", own_crm_id),
    FieldSpec("name", "Name", True, parse=text(150)),
    FieldSpec("email", "Email", parse=text(254)),
    FieldSpec("company", "Company", parse=text(150)),
    FieldSpec("owner", "Salesperson", help="Username or email.", parse=owner),
    FieldSpec("source", "Acquisition source", parse=choice(Source)),
    FieldSpec("stage", "Lifecycle stage", parse=choice(Stage)),
    FieldSpec("became_mql_at", "Became MQL", parse=a_datetime),
    FieldSpec("became_sql_at", "Became SQL", parse=a_datetime),
]

DEAL_FIELDS = [
    FieldSpec("crm_id", "Deal CRM id", True, "The key rows are matched on.", text(64)),
    FieldSpec(
        "prospect",
        "Prospect CRM id",
        True,
        "The CRM id of a prospect already in the portal.",
        prospect_ref,
    ),
    FieldSpec("title", "Title", parse=text(150)),
    FieldSpec("amount", "Amount", True, parse=money),
    FieldSpec("currency", "Currency", parse=currency),
    FieldSpec("stage", "Stage", parse=choice(DealStage)),
    FieldSpec("outcome", "Outcome", parse=choice(Outcome)),
    FieldSpec("opened_on", "First touch", True, "YYYY-MM-DD", a_date),
    FieldSpec("closed_on", "Closed on", help="YYYY-MM-DD", parse=a_date),
    FieldSpec("lifetime_value", "Lifetime value", parse=money),
    FieldSpec("source", "Acquisition source", parse=choice(Source)),
]

FIELDS = {ImportJob.Kind.PROSPECTS: PROSPECT_FIELDS, ImportJob.Kind.DEALS: DEAL_FIELDS}


# Reading the file ------------------------------------------------------------


def read_text(job: ImportJob) -> str:
    with job.file.open("rb") as handle:
        raw = handle.read(settings.INSIGHTS_IMPORT_MAX_BYTES + 1)
    if len(raw) > settings.INSIGHTS_IMPORT_MAX_BYTES:
        raise ImportProblem(too_big_message())
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
        ) from None


def too_big_message() -> str:
    limit = settings.INSIGHTS_IMPORT_MAX_BYTES / (1024 * 1024)
    return f"The file is larger than {limit:g} MB. Split it into smaller files."


def records(content: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of ``(line number, cells)`` of each record."""
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ImportProblem("The file is empty.") from None
    except csv.Error as error:
        raise ImportProblem(f"Line 1 cannot be read as CSV: {error}.") from None
    if not any(header):
        raise ImportProblem("The first line must name the columns.")

    def rows():
        previous = reader.line_num
        while True:
            start = previous + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportProblem(
                    f"Line {start} cannot be read as CSV: {error}."
                ) from None
            previous = reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells

    return header, rows()


def headers_of(job: ImportJob) -> list[str]:
    header, _ = records(read_text(job))
    return header


def suggest_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Match columns to fields by name or label, ignoring case and spacing."""

    def norm(value: str) -> str:
        return "".join(ch for ch in value.lower() if ch.isalnum())

    by_norm = {norm(header): header for header in headers}
    mapping = {}
    for spec in FIELDS[kind]:
        for candidate in (spec.name, spec.label):
            if norm(candidate) in by_norm:
                mapping[spec.name] = by_norm[norm(candidate)]
                break
    return mapping


# Checking every row ----------------------------------------------------------


@dataclass
class Checked:
    total: int
    rows: list[tuple[int, dict]]
    errors: list[dict]


def context_for(job: ImportJob, crm_ids: Iterable[str] = ()) -> Context:
    """Look up the team and the prospects ``crm_ids`` name (chunked queries)."""
    from sales.roles import is_sales_manager

    User = get_user_model()
    owners = {}
    team = User.objects.filter(
        groups__name__in=SALES_GROUPS, is_active=True
    ).values_list("pk", "username", "email")
    for pk, username, email in team:
        owners[username.lower()] = pk
        if email:
            owners[email.lower()] = pk
    restricted = not is_sales_manager(job.uploaded_by)
    prospects, foreign = {}, set()
    wanted = sorted(set(crm_ids))
    for start in range(0, len(wanted), CHUNK):
        found = Prospect.objects.filter(
            crm_id__in=wanted[start : start + CHUNK]
        ).values_list("crm_id", "pk", "owner_id")
        for crm_id, pk, owner_id in found:
            prospects[crm_id] = pk
            if restricted and owner_id != job.uploaded_by_id:
                foreign.add(crm_id)
    return Context(
        owners=owners,
        default_owner_id=job.uploaded_by_id,
        prospects=prospects,
        restricted=restricted,
        foreign=frozenset(foreign),
    )


def check(job: ImportJob, *, progress: Callable[[int], None] | None = None) -> Checked:
    """Parse and check every row against the mapping; write nothing."""
    header, rows = records(read_text(job))
    specs = FIELDS[job.kind]
    mapping = {name: col for name, col in (job.mapping or {}).items() if col in header}
    index = {name: header.index(column) for name, column in mapping.items()}
    errors: list[dict] = []
    for spec in specs:
        if spec.required and spec.name not in index:
            errors.append(
                {"line": 1, "message": f"No column is mapped to {spec.label}."}
            )
    if errors:
        return Checked(total=0, rows=[], errors=errors)

    raw_rows = []
    for line, cells in rows:
        raw_rows.append((line, cells))
        if len(raw_rows) > settings.INSIGHTS_IMPORT_MAX_ROWS:
            raise ImportProblem(
                f"The file has more than {settings.INSIGHTS_IMPORT_MAX_ROWS:,} rows. "
                "Split it into smaller files."
            )
    # Deals name their prospect; prospects are checked against their own id.
    key_column = index.get("prospect", index.get("crm_id"))
    if job.kind == ImportJob.Kind.PROSPECTS:
        key_column = index.get("crm_id")
    context = context_for(
        job,
        (
            cells[key_column].strip()
            for _, cells in raw_rows
            if key_column is not None and key_column < len(cells)
        ),
    )

    parsed_rows, seen = [], {}
    for position, (line, cells) in enumerate(raw_rows, start=1):
        values, problems = {}, []
        if len(cells) != len(header):
            problems.append(
                f"has {len(cells)} cells where the header has {len(header)}"
            )
        for spec in specs:
            column = index.get(spec.name)
            raw = (
                cells[column].strip()
                if column is not None and column < len(cells)
                else ""
            )
            if not raw:
                if spec.required:
                    problems.append(f"{spec.label} is missing")
                continue
            try:
                values[spec.name] = spec.parse(raw, context) if spec.parse else raw
            except ValueError as error:
                problems.append(f"{spec.label} {error}")
        crm_id = values.get("crm_id")
        if crm_id is not None:
            if crm_id in seen:
                problems.append(f"repeats the CRM id of line {seen[crm_id]}")
            else:
                seen[crm_id] = line
        if job.kind == ImportJob.Kind.DEALS:
            problems += deal_problems(values)
        if problems:
            errors.append({"line": line, "message": "; ".join(problems)})
        else:
            parsed_rows.append((line, values))
        if progress and position % 1000 == 0:
            progress(position)
    return Checked(total=len(raw_rows), rows=parsed_rows, errors=errors)


def deal_problems(values: dict) -> list[str]:
    outcome = values.get("outcome", Outcome.OPEN)
    opened, closed = values.get("opened_on"), values.get("closed_on")
    problems = []
    if outcome in (Outcome.WON, Outcome.LOST) and not closed:
        problems.append("a won or lost deal needs Closed on")
    if outcome == Outcome.OPEN and closed:
        problems.append("an open deal has no Closed on")
    if opened and closed and closed < opened:
        problems.append("Closed on is before First touch")
    return problems


# Writing ----------------------------------------------------------------------


PROSPECT_COLUMNS = [
    "name",
    "email",
    "company",
    "owner_id",
    "source",
    "stage",
    "became_mql_at",
    "became_sql_at",
]
DEAL_COLUMNS = [
    "prospect_id",
    "title",
    "amount",
    "currency",
    "stage",
    "outcome",
    "opened_on",
    "closed_on",
    "lifetime_value",
    "source",
]


def prospect_values(values: dict, context: Context) -> dict:
    return {
        "name": values["name"],
        "email": values.get("email", ""),
        "company": values.get("company", ""),
        "owner_id": values.get("owner", context.default_owner_id),
        "source": values.get("source", Source.OTHER),
        "stage": values.get("stage", Stage.LEAD),
        "became_mql_at": values.get("became_mql_at"),
        "became_sql_at": values.get("became_sql_at"),
    }


def deal_values(values: dict, context: Context) -> dict:
    outcome = values.get("outcome", Outcome.OPEN)
    return {
        "prospect_id": values["prospect"],
        "title": values.get("title", ""),
        "amount": values["amount"],
        "currency": values.get("currency", "GBP"),
        "stage": values.get(
            "stage",
            DealStage.DISCOVERY if outcome == Outcome.OPEN else DealStage.CLOSED,
        ),
        "outcome": outcome,
        "opened_on": values["opened_on"],
        "closed_on": values.get("closed_on"),
        "lifetime_value": values.get("lifetime_value"),
        "source": values.get("source", Source.OTHER),
    }


def upsert(
    model, columns: list[str], wanted: dict[str, dict], *, now
) -> tuple[int, int]:
    """Create missing rows and update differing ones, matched on ``crm_id``.

    Returns ``(created, updated)``; a row whose values already match is not
    touched, so ``updated_at`` stays put on a repeated import.
    """
    crm_ids = list(wanted)
    existing = {}
    for start in range(0, len(crm_ids), CHUNK):
        for row in model.objects.filter(crm_id__in=crm_ids[start : start + CHUNK]):
            existing[row.crm_id] = row
    new, changed = [], []
    for crm_id, values in wanted.items():
        row = existing.get(crm_id)
        if row is None:
            new.append(model(crm_id=crm_id, **values))
            continue
        if any(getattr(row, column) != values[column] for column in columns):
            for column in columns:
                setattr(row, column, values[column])
            row.updated_at = now
            changed.append(row)
    model.objects.bulk_create(new, batch_size=CHUNK)
    model.objects.bulk_update(changed, [*columns, "updated_at"], batch_size=CHUNK)
    return len(new), len(changed)


def write(job: ImportJob, checked: Checked) -> tuple[int, int]:
    context = context_for(job)
    now = timezone.now()
    if job.kind == ImportJob.Kind.PROSPECTS:
        wanted = {v["crm_id"]: prospect_values(v, context) for _, v in checked.rows}
        return upsert(Prospect, PROSPECT_COLUMNS, wanted, now=now)
    wanted = {v["crm_id"]: deal_values(v, context) for _, v in checked.rows}
    return upsert(Deal, DEAL_COLUMNS, wanted, now=now)


def preview(job: ImportJob) -> Checked:
    """Check the file and record the outcome on the job, writing no data."""
    try:
        checked = check(job)
    except ImportProblem as problem:
        checked = Checked(
            total=0, rows=[], errors=[{"line": 0, "message": str(problem)}]
        )
    job.total_rows = checked.total
    job.errors = checked.errors[:SHOWN_ERRORS]
    job.state = ImportJob.State.INVALID if checked.errors else ImportJob.State.UPLOADED
    job.save(update_fields=["total_rows", "errors", "state"])
    return checked


def run_import(*, job_id: int) -> str | None:
    """Check every row again, then write all of them in one transaction.

    ``processed_rows`` moves while rows are checked (outside the transaction,
    so the page can show it); the writes then commit together or not at all.
    A job that is not queued (done already, or being run) is left alone.
    """
    claimed = ImportJob.objects.filter(
        pk=job_id, state__in=[ImportJob.State.QUEUED, ImportJob.State.UPLOADED]
    ).update(state=ImportJob.State.RUNNING, processed_rows=0)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=rows)

    try:
        checked = check(job, progress=progress)
    except ImportProblem as problem:
        checked = Checked(
            total=0, rows=[], errors=[{"line": 0, "message": str(problem)}]
        )
    if checked.errors:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            errors=checked.errors[:SHOWN_ERRORS],
            finished_at=timezone.now(),
        )
        logger.warning("Import %s refused: %s bad rows", job.pk, len(checked.errors))
        return ImportJob.State.FAILED

    with transaction.atomic():
        created, updated = write(job, checked)
        if job.kind == ImportJob.Kind.PROSPECTS:
            prospects_changed()
        else:
            outcomes_changed()
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.DONE,
            total_rows=checked.total,
            processed_rows=checked.total,
            created_count=created,
            updated_count=updated,
            errors=[],
            finished_at=timezone.now(),
        )
    logger.info("Import %s done: %s created, %s updated", job.pk, created, updated)
    return ImportJob.State.DONE


# Export -------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell as text a spreadsheet shows rather than runs.

    Text starting with ``= + - @``, a tab or a carriage return is prefixed
    with an apostrophe (OWASP's advice for CSV injection); numbers and dates
    we format ourselves pass unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal | date):
        return str(value)
    value = str(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def prospect_export_rows(prospects) -> tuple[list[str], Iterator[list]]:
    header = [
        "crm_id",
        "name",
        "email",
        "company",
        "owner",
        "source",
        "stage",
        "became_mql_at",
        "became_sql_at",
    ]
    rows = (
        [
            p.crm_id,
            p.name,
            p.email,
            p.company,
            p.owner.username,
            p.source,
            p.stage,
            p.became_mql_at.isoformat() if p.became_mql_at else "",
            p.became_sql_at.isoformat() if p.became_sql_at else "",
        ]
        for p in prospects.select_related("owner").iterator(chunk_size=2000)
    )
    return header, rows


def deal_export_rows(deals) -> tuple[list[str], Iterator[list]]:
    header = [
        "crm_id",
        "prospect",
        "title",
        "amount",
        "currency",
        "stage",
        "outcome",
        "opened_on",
        "closed_on",
        "lifetime_value",
        "source",
    ]
    rows = (
        [
            d.crm_id,
            d.prospect.crm_id,
            d.title,
            d.amount,
            d.currency,
            d.stage,
            d.outcome,
            d.opened_on,
            d.closed_on,
            d.lifetime_value,
            d.source,
        ]
        for d in deals.select_related("prospect").iterator(chunk_size=2000)
    )
    return header, rows
