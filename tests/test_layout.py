"""What the relation model is told about a laid-out report: headings and table columns."""

from ingest.learn.layout import Layout

REPORT = """Chamber mission to Tashkent
Mission note | Tashkent | 4 May 2026

The delegation of twelve companies spent three days in Uzbekistan.

Meetings held:
- Ministry of Investment, Industry and Trade
- Chamber of Commerce and Industry of Uzbekistan

The chamber hosted a dinner for the group on the last evening.
- A list item after prose has no heading.

Agreements signed
Uzbek company | Partner | Subject
Navoi Textiles | Baltic Yarn OU | supply contract
Samarkand Foods | Polar Pack AB | joint packaging line

Follow-up: the chamber will return in October.
"""


def at(text: str, needle: str) -> int:
    return text.index(needle)


def test_list_items_carry_the_words_of_the_heading_above_them():
    layout = Layout(REPORT)
    assert layout.section(at(REPORT, "Ministry of Investment")) == ("meeting", "held")
    assert layout.section(at(REPORT, "Chamber of Commerce and Industry")) == ("meeting", "held")


def test_a_paragraph_of_prose_closes_the_section():
    layout = Layout(REPORT)
    assert layout.section(at(REPORT, "The chamber hosted")) == ()
    assert layout.section(at(REPORT, "A list item after prose")) == ()


def test_table_cells_carry_their_column_and_the_table_its_heading():
    layout = Layout(REPORT)
    assert layout.column(at(REPORT, "Navoi Textiles")) == ("uzbek", "company")
    assert layout.column(at(REPORT, "Polar Pack AB")) == ("partner",)
    assert layout.column(at(REPORT, "joint packaging")) == ("subject",)
    assert layout.section(at(REPORT, "Samarkand Foods")) == ("agreement", "signed")


def test_a_single_row_of_cells_is_a_dateline_not_a_table():
    layout = Layout(REPORT)
    assert layout.column(at(REPORT, "Tashkent | 4 May")) == ()


def test_a_labelled_line_is_its_own_section():
    layout = Layout(REPORT)
    assert layout.section(at(REPORT, "the chamber will return")) == ("follow",)
    assert layout.section(at(REPORT, "Chamber mission to Tashkent")) == ()


PARTICIPANTS = """Participants

1) Ludhiana Forge Tech Pvt Ltd, Ludhiana (Punjab)
   Industry: forged auto components
   Representative: Mr Harpreet Singh Bedi, Managing Partner

2) Coimbatore Electricals, Coimbatore. Contact: Ms Priya Nair, CEO.
Visits were arranged by the chamber.
"""


def test_a_list_entry_holds_its_indented_lines_and_ends_at_a_blank_or_unindented_line():
    layout = Layout(PARTICIPANTS)
    first = layout.item(at(PARTICIPANTS, "Ludhiana Forge"))
    assert first is not None and PARTICIPANTS[first[0]:first[1]].startswith("1) Ludhiana")
    assert layout.item(at(PARTICIPANTS, "Mr Harpreet")) == first
    second = layout.item(at(PARTICIPANTS, "Ms Priya Nair"))
    assert second is not None and second != first and PARTICIPANTS[second[0]:].startswith("2) Coimbatore")
    assert layout.item(at(PARTICIPANTS, "Visits were arranged")) is None
    assert layout.item(at(PARTICIPANTS, "Participants")) is None
