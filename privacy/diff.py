"""A readable comparison of two versions of a policy, paragraph by paragraph.

Paragraphs (blocks separated by a blank line) are matched first; a paragraph that was
reworded is then compared word by word, so a reader sees exactly which words changed
instead of two whole paragraphs.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Runs of unchanged paragraphs longer than this are folded away.
CONTEXT = 2


@dataclass(frozen=True)
class Block:
    change: str  # "same", "added", "removed" or "changed"
    html: SafeString


@dataclass
class Section:
    """Consecutive blocks shown together; a long unchanged run is folded."""

    change: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def folded(self) -> bool:
        return self.change == "same" and len(self.blocks) > CONTEXT


def paragraphs(text: str) -> list[str]:
    """Blocks of text with their line wrapping normalised, so re-wrapping is no change."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip())]
    # Heading marks are layout, not words a reader compares.
    return [re.sub(r"^#{1,6}\s+", "", block) for block in blocks if block]


def _words_html(old: str, new: str) -> SafeString:
    before, after = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    parts = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(before[i1:i2]).rstrip())}</del> ")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(after[j1:j2]).rstrip())}</ins> ")
    return mark_safe("".join(parts).strip())  # noqa: S308 - every piece is escaped above


def _blocks(old: str, new: str) -> list[Block]:
    before, after = paragraphs(old), paragraphs(new)
    blocks: list[Block] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks += [Block("same", escape(text)) for text in before[i1:i2]]
            continue
        removed, added = before[i1:i2], after[j1:j2]
        paired = min(len(removed), len(added)) if tag == "replace" else 0
        for old_text, new_text in zip(removed[:paired], added[:paired], strict=True):
            # Word by word only when enough words survived for that to read well.
            if SequenceMatcher(None, old_text.split(), new_text.split()).ratio() >= 0.5:
                blocks.append(Block("changed", _words_html(old_text, new_text)))
            else:
                blocks.append(Block("removed", escape(old_text)))
                blocks.append(Block("added", escape(new_text)))
        blocks += [Block("removed", escape(text)) for text in removed[paired:]]
        blocks += [Block("added", escape(text)) for text in added[paired:]]
    return blocks


def policy_diff(old: str, new: str) -> list[Section]:
    """The changes from one version's text to the next, grouped for display."""
    sections: list[Section] = []
    for block in _blocks(old, new):
        kind = "same" if block.change == "same" else "change"
        if not sections or sections[-1].change != kind:
            sections.append(Section(kind))
        sections[-1].blocks.append(block)
    return sections
