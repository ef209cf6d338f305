"""Test data for contacts: Chinese names and mixed scripts by default."""

from netmark.contacts import services


def make_contact(member, **fields):
    fields.setdefault("name", "李娜 Li Na")
    fields.setdefault("email", "li.na@yunling-tea.example")
    return services.create_contact(member, **fields)
