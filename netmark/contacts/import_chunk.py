"""One chunk of a CSV import applied to the database (``importing.run`` calls it per chunk).

A chunk costs a fixed number of queries whatever its size: two find the existing contacts that
share an email, then a phone, with any row (read as plain tuples, not model instances), one their
tags, two the companies; new contacts go in through ``contact_writer`` (``COPY`` on PostgreSQL), changed
ones through one bulk update, tags and notes through bulk inserts. Matching follows the dedupe rules
(docs/contacts.md): email first, then phone unless the phone's contact has another email; earlier
rows of the file count as existing. A note's ``source_ref`` is ``import:<digest>:<row>``, so a note
already imported is not written again.
"""

from django.utils import timezone

from netmark.contacts import search
from netmark.contacts.contact_writer import insert_contacts, update_contacts
from netmark.contacts.models import Company, Contact, Interaction, Tag
from netmark.contacts.segment_compiler import id_values, text_values
from netmark.core.scoping import scoped

FILLABLE = ("name", "email", "phone", "wechat_id", "title", "city", "language", "source", "stage")
KNOWN_COLUMNS = ("pk", "company_id", "custom", *FILLABLE)
WRITTEN = ("company_id", "custom", *FILLABLE, "search_text")


class Person:
    """A contact as the chunk sees it: an existing one (``pk`` set) or one still to insert."""

    __slots__ = ("pk", "company_id", "custom", *FILLABLE, "tag_names", "search_text")

    def __init__(self, pk=None, company_id=None, custom=None, *values, **named):
        self.pk, self.company_id, self.custom = pk, company_id, custom if custom is not None else {}
        for name, value in zip(FILLABLE, values, strict=False):
            setattr(self, name, value)
        for name in FILLABLE[len(values) :]:
            setattr(self, name, named.get(name, ""))
        self.tag_names: set[str] = set()
        self.search_text = ""


class ChunkApplier:
    """Applies chunks of parsed rows (``importing.Parsed``) for one import run."""

    def __init__(self, workspace, source: str, digest: str, overwrite: bool, outcome):
        self.workspace, self.source, self.digest = workspace, source, digest
        self.overwrite, self.outcome = overwrite, outcome
        self.companies: dict[str, int] = {}

    def apply(self, rows) -> None:
        by_email, by_phone = self._known(rows)
        self._company_ids({r.values["company"] for r in rows if r.values.get("company")})
        new, changed, targets = [], {}, []
        for row in rows:
            person = self._match(row.values, by_email, by_phone)
            if person is None:
                person = self._new(row.values)
                new.append(person)
                self.outcome.created += 1
            elif self._fill(person, row.values) or not set(row.tags) <= person.tag_names:
                self.outcome.updated += 1
                if person.pk is not None:
                    changed[person.pk] = person
            else:
                self.outcome.unchanged += 1
            person.tag_names = person.tag_names | set(row.tags)
            self._remember(person, by_email, by_phone)
            targets.append((row, person))
        names = {pk: name for name, pk in self.companies.items()}
        for person in [*new, *changed.values()]:
            company = names.get(person.company_id, "")
            person.search_text = search.contact_document(person, sorted(person.tag_names), company)
        self._insert(new)
        self._update(list(changed.values()))
        self._tags_and_notes(targets)

    def _known(self, rows) -> tuple[dict[str, Person], dict[str, Person]]:
        """The existing contacts sharing an email or a phone with a row, by email and by phone."""
        emails = sorted({r.values["email"] for r in rows if r.values.get("email")})
        phones = sorted({r.values["phone"] for r in rows if r.values.get("phone")})
        if not emails and not phones:
            return {}, {}
        # Two queries, not one with OR: an OR of two IN-subqueries cannot use an index on
        # PostgreSQL. The `<> ''` terms let it use the partial unique indexes (WHERE email <> '').
        contacts = scoped(Contact, self.workspace).order_by()
        people = []
        if emails:
            email_matches = contacts.filter(email__in=text_values(emails)).exclude(email="")
            people += [Person(*values) for values in email_matches.values_list(*KNOWN_COLUMNS)]
        if phones:
            phone_matches = contacts.filter(phone__in=text_values(phones)).exclude(phone="")
            if emails:
                phone_matches = phone_matches.exclude(email__in=text_values(emails))  # found above
            people += [Person(*values) for values in phone_matches.values_list(*KNOWN_COLUMNS)]
        tags_of = self._tag_names([person.pk for person in people])
        by_email, by_phone = {}, {}
        for person in people:
            person.tag_names = tags_of.get(person.pk, set())
            if person.email:
                by_email[person.email] = person
            if person.phone:
                by_phone[person.phone] = person
        return by_email, by_phone

    def _tag_names(self, contact_ids: list[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        if contact_ids:
            pairs = Contact.tags.through.objects.filter(contact_id__in=id_values(contact_ids))
            for contact_id, name in pairs.values_list("contact_id", "tag__name"):
                found.setdefault(contact_id, set()).add(name)
        return found

    def _match(self, values, by_email, by_phone):
        email, phone = values.get("email"), values.get("phone")
        found = by_email.get(email) if email else None
        if found is None and phone:
            found = by_phone.get(phone)
            if found is not None and email and found.email and found.email != email:
                found = None
        holder = by_phone.get(phone) if phone else None
        if holder is not None and holder is not found:
            values.pop("phone")  # the phone belongs to another contact: leave it (merge candidates)
        return found

    def _remember(self, person, by_email, by_phone):
        if person.email:
            by_email.setdefault(person.email, person)
        if person.phone:
            by_phone.setdefault(person.phone, person)

    def _company_ids(self, names: set[str]) -> None:
        missing = names - set(self.companies)
        if not missing:
            return
        companies = scoped(Company, self.workspace)
        found = dict(companies.filter(name__in=missing).values_list("name", "pk"))
        Company.unscoped.bulk_create(
            [Company(workspace=self.workspace, name=name) for name in missing - set(found)],
            ignore_conflicts=True,
        )
        found.update(companies.filter(name__in=missing - set(found)).values_list("name", "pk"))
        self.companies.update(found)

    def _new(self, values: dict) -> Person:
        default_stage = Contact.stage.field.default
        person = Person(custom=values.get("custom", {}), source=self.source, stage=default_stage)
        for name in FILLABLE:
            if values.get(name):
                setattr(person, name, values[name])
        if values.get("company"):
            person.company_id = self.companies[values["company"]]
        return person

    def _fill(self, person: Person, values: dict) -> bool:
        changed = False
        for name in FILLABLE:
            value = values.get(name)
            current = getattr(person, name)
            if not value or current == value or not (self.overwrite or not current):
                continue
            if name == "stage" and not self.overwrite:
                continue  # a stage always has a value; only overwrite moves it
            setattr(person, name, value)
            changed = True
        company_id = self.companies.get(values.get("company", ""))
        if company_id and person.company_id != company_id and (self.overwrite or not person.company_id):
            person.company_id, changed = company_id, True
        custom = values.get("custom") or {}
        merged = {**person.custom, **custom} if self.overwrite else {**custom, **person.custom}
        if merged != person.custom:
            person.custom, changed = merged, True
        return changed

    def _insert(self, people: list[Person]) -> None:
        rows = [{name: getattr(person, name) for name in WRITTEN} for person in people]
        for person, pk in zip(people, insert_contacts(self.workspace, rows), strict=True):
            person.pk = pk

    def _update(self, people: list[Person]) -> None:
        update_contacts(self.workspace, {p.pk: {name: getattr(p, name) for name in WRITTEN} for p in people})

    def _tags_and_notes(self, targets) -> None:
        names = {tag for row, _person in targets for tag in row.tags}
        if names:
            Tag.unscoped.bulk_create(
                [Tag(workspace=self.workspace, name=n) for n in names], ignore_conflicts=True
            )
            tag_ids = dict(scoped(Tag, self.workspace).filter(name__in=names).values_list("name", "pk"))
            through = Contact.tags.through
            pairs = {(person.pk, tag_ids[tag]) for row, person in targets for tag in row.tags}
            links = [through(contact_id=contact_id, tag_id=tag_id) for contact_id, tag_id in pairs]
            through.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
        self._notes([(row, person) for row, person in targets if row.note])

    def _notes(self, targets) -> None:
        if not targets:
            return
        refs = {f"import:{self.digest[:16]}:{row.number}": (row, person) for row, person in targets}
        existing = set(
            Interaction.unscoped.filter(
                workspace=self.workspace, kind="note", source_ref__in=list(refs)
            ).values_list("source_ref", flat=True)
        )
        now = timezone.now()
        notes = [
            Interaction(
                workspace=self.workspace,
                contact_id=person.pk,
                kind="note",
                occurred_at=now,
                payload={"text": row.note},
                source_ref=ref,
            )
            for ref, (row, person) in refs.items()
            if ref not in existing
        ]
        Interaction.unscoped.bulk_create(notes, ignore_conflicts=True, batch_size=1000)
