"""Every number a packet states is bound to a recount: change any one and the check refuses."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from sqlalchemy import select

from analysis.packet.build import PacketError, default_period
from analysis.packet.grounding import check_packet
from analysis.packet.models import Packet
from analysis.packet.sections import unsafe_to_quote
from analysis.packet.services import content_for_cli
from extensions import db
from forum.models import Comment
from moderation.models import ReviewReason
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


def numeric_slots(value: Any, path: tuple = ()) -> list[tuple]:
    """The path of every number in the content (bools are flags, not numbers)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in numeric_slots(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in numeric_slots(item, (*path, i))]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [path]
    return []


def kind_of(path: tuple) -> str:
    """A slot's kind: its path with list positions and per-row names (roles, themes) dropped."""
    named_maps = {"by_role", "by_theme", "channels", "hidden", "by_position", "sources"}
    parts = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            parts.append("[]")
        elif i and path[i - 1] in named_maps:
            parts.append("*")
        else:
            parts.append(str(part))
    return ".".join(parts)


def mutated(content: dict[str, Any], path: tuple) -> dict[str, Any]:
    tampered = copy.deepcopy(content)
    holder = tampered
    for part in path[:-1]:
        holder = holder[part]
    value = holder[path[-1]]
    holder[path[-1]] = value + 1 if isinstance(value, int) else round(value + 0.05, 4)
    return tampered


def test_changing_any_kind_of_number_is_refused(runner, analysed):
    content = content_for_cli(analysed)
    period = default_period(analysed)
    check_packet(content, analysed, period, {})  # the honest packet passes

    first_of_kind: dict[str, tuple] = {}
    for path in numeric_slots(content):
        first_of_kind.setdefault(kind_of(path), path)
    # The kinds the issue names are all among them.
    kinds = set(first_of_kind)
    for expected in (
        "records.received",
        "records.hidden.*",
        "positions.rows.[].declared.support",
        "positions.rows.[].predicted.oppose",
        "positions.total.counts.support",
        "positions.by_school.[].counts.support",
        "positions.by_school.[].predicted.support",
        "positions.sources.*",
        "themes.[].count",
        "themes.[].by_role.*",
        "themes.[].by_position.*",
        "campaigns.[].comments",
        "campaigns.[].people",
        "tone.by_role.*.negative",
        "tone.by_theme.*.positive",
        "unthemed",
        "method.channels.*",
        "method.people",
        "surveys.[].responses",
        "surveys.[].questions.[].answered",
    ):
        assert expected in kinds, (expected, sorted(kinds))
    accepted = []
    for kind, path in first_of_kind.items():
        if kind in ("header.version", "header.analysis_run"):
            continue  # which version and run, not a statistic (the run is checked to exist)
        try:
            check_packet(mutated(content, path), analysed, period, {})
        except PacketError:
            continue
        accepted.append(kind)
    assert accepted == [], f"these changed numbers passed the check: {accepted}"


def test_summary_text_may_cite_numbers_only_as_statistics(client, auth, analysed):
    auth.login(user_with_role("staff").email)
    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Board office"})
    packet = db.session.scalar(select(Packet))
    review = client.get(f"/staff/packets/view/{packet.id}").get_data(as_text=True)
    assert "{{support.declared}}" in review  # the tokens are listed next to the edit box

    def edit(text: str) -> str:
        return client.post(
            f"/staff/packets/view/{packet.id}/edit",
            data={"kind": "summary", "summary": text},
            follow_redirects=True,
        ).get_data(as_text=True)

    assert "the number 75 in" in edit("About 75% of parents oppose the plan.")
    assert "the number word “Twelve”" in edit("Twelve parents oppose the plan.")
    assert "#9999 in" in edit("See comment #9999 for the clearest statement.")
    assert "{{support.invented}}" in edit("{{support.invented}} parents support it.")
    edit(
        "{{support.total}} support: {{support.declared}} said so, {{support.predicted}} "
        "were predicted from their text."
    )
    db.session.refresh(packet)
    stats = packet.content["statistics"]
    assert packet.content["summary"] == [
        f"{stats['support.total']} support: {stats['support.declared']} said so, "
        f"{stats['support.predicted']} were predicted from their text."
    ]
    assert int(stats["support.total"]) == int(stats["support.declared"]) + int(
        stats["support.predicted"]
    )


def test_the_generated_summary_says_declared_and_predicted_apart(runner, analysed):
    content = content_for_cli(analysed)
    total = content["positions"]["total"]
    support = content["summary"][1]
    assert (
        f"{total['counts']['support']} ({round(100 * total['counts']['support'] / total['total'])}%) "
        f"support the proposal: {total['declared']['support']} said so and "
        f"{total['predicted']['support']} were predicted from their text" in support
    )
    for template in content["summary_templates"]:
        assert not re.search(r"\d", re.sub(r"\{\{[^}]*\}\}", "", template)), template


def test_quotes_never_come_from_a_flagged_comment_and_footers_match(runner, analysed):

    content = content_for_cli(analysed)
    period = default_period(analysed)
    theme = next(t for t in content["themes"] if t["quotes"])
    quote = theme["quotes"][0]

    tampered = copy.deepcopy(content)
    footer = next(t for t in tampered["themes"] if t["key"] == theme["key"])["quotes"][0]
    footer["position_source"] = (
        "predicted" if quote["position_source"] != "predicted" else "declared"
    )
    with pytest.raises(PacketError, match=f"the footer of #{quote['number']} says"):
        check_packet(tampered, analysed, period, {})

    comment = db.session.scalar(
        select(Comment).where(
            Comment.consultation_id == analysed.id, Comment.number == quote["number"]
        )
    )
    db.session.add(ReviewReason(comment_id=comment.id, source="flag", code="flag"))
    db.session.commit()  # a reader flagged it after the packet was drafted
    with pytest.raises(PacketError, match=f"#{quote['number']} is under review, flagged"):
        check_packet(content, analysed, period, {})
    rebuilt = content_for_cli(analysed)
    quoted = {q["number"] for t in rebuilt["themes"] for q in t["quotes"]}
    assert quote["number"] not in quoted


def test_a_flagged_form_letter_is_printed_from_a_copy_nobody_flagged(runner, analysed, tmp_path):
    content = content_for_cli(analysed)
    period = default_period(analysed)
    numbers = {c["key"]: c["template_number"] for c in content["campaigns"]}
    by_number = {
        c.number: c
        for c in db.session.scalars(select(Comment).where(Comment.consultation_id == analysed.id))
    }
    for number in numbers.values():  # a reader flags every letter the packet printed
        db.session.add(ReviewReason(comment_id=by_number[number].id, source="flag", code="flag"))
    db.session.commit()
    first = min(numbers.values())
    with pytest.raises(PacketError, match=f"campaign letter #{first}: the comment is under"):
        check_packet(content, analysed, period, {})
    rebuilt = content_for_cli(analysed)  # passes its own check
    unsafe = unsafe_to_quote([c.id for c in by_number.values()])
    for letter in rebuilt["campaigns"]:
        if letter["template_text"] is None:  # every copy is under review: no quote at all
            continue
        shown = by_number[letter["template_number"]]
        assert shown.id not in unsafe and letter["template_number"] != numbers[letter["key"]]
        assert letter["template_text"] == shown.public_text
    if any(letter["template_text"] is None for letter in rebuilt["campaigns"]):
        html = tmp_path / "packet.html"
        args = ["packet", "build", analysed.slug, "--format", "html", "-o", str(html)]
        assert runner.invoke(args=args).exit_code == 0
        assert "The letter is not quoted: every copy of it is under review" in html.read_text()
