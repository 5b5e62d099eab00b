"""The sentence rules' table: each trigger word reaches its rules, in order.

What each rule finds is pinned by the extraction tests (test_extract*.py);
these check the look-up that decides which rules a token runs.
"""

from __future__ import annotations

from ingest.sentence_rules import RULES, _meeting_verb, _rules_for, _talks_between


def test_every_trigger_word_reaches_its_rule() -> None:
    for words, rule in RULES:
        for word in words:
            assert rule in _rules_for(word, word), (word, rule.__name__)


def test_a_token_runs_the_rules_of_its_lemma_and_of_its_form_once_each_in_table_order() -> None:
    # "talks": the lemma "talk" starts the meeting-verb rule, the form
    # "talks" the meeting-noun rule ("talks between A and B").
    rules = _rules_for("talk", "talks")
    assert rules.count(_meeting_verb) == 1 and rules.count(_talks_between) == 1
    order = [rule for _, rule in RULES]
    assert list(rules) == sorted(rules, key=order.index)


def test_a_word_no_rule_starts_runs_nothing() -> None:
    assert _rules_for("the", "the") == ()
