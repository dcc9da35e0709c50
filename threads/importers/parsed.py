"""What a parsed dump is: plain frozen dataclasses, written to the database by a later step.

Nothing here knows about Django. A :class:`ParsedDebate` holds the opening post and the
replies in page order (a parent always comes before its children), plus the
:class:`ImportReport` the import command prints.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

ROLES = ("claim", "rebuttal", "support", "question", "answer", "concession", "comment")


class DumpError(ValueError):
    """A dump that cannot be imported. ``str(error)`` is a message meant for the user."""


@dataclass(frozen=True)
class ParsedPost:
    """One post. ``key`` 0 is the opening post; replies are numbered 1.. in page order.

    ``parent_key`` None means "reply to the opening post" (and is also the opening
    post's own value). ``quote`` is "" or text that occurs verbatim in the parent's body.
    ``author`` is a placeholder: raw dumps carry no names, so every post gets its own
    obviously-imported participant and the map's implied stances still work.
    """

    key: int
    parent_key: int | None
    body: str
    quote: str = ""
    role: str = "comment"
    role_inferred: bool = False
    author: str = ""
    note: str = ""
    placeholder: bool = False


@dataclass(frozen=True)
class ImportReport:
    """What the importer did, in numbers a moderator can check against the page.

    Paragraph accounting: ``paragraphs_in`` counts the *distinct* content paragraphs of
    the input (after site chrome and header fields — title, link — are set aside;
    "distinct" compares text with whitespace, case, quote characters and edge
    punctuation ignored). ``paragraphs_out`` counts how many of those are found again
    as a paragraph of some post's body or quote. They are equal unless something was
    lost, and then ``dropped`` says what.
    """

    comments: int
    duplicates_dropped: int
    attached_by_quote: int
    roles_inferred: dict[str, int]
    paragraphs_in: int
    paragraphs_out: int
    attached_by_position: int = 0
    top_level: int = 0
    links: int = 0
    # The dump is one person's comments on many posts: imported flat, nothing attached.
    listing: bool = False
    dropped: list[str] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def json_line(self, thread: object) -> str:
        """The report's last line: one JSON object, ``thread`` being the created thread's
        id or slug. ``posts`` counts the opening post too."""
        fields = {"thread": thread, "posts": self.comments + 1, **self.as_dict()}
        return json.dumps(fields, ensure_ascii=False, sort_keys=False)

    def summary_lines(self) -> list[str]:
        """Human-readable lines for the import command (the JSON line comes after them)."""
        roles = ", ".join(f"{role} {n}" for role, n in sorted(self.roles_inferred.items()))
        lines = [
            f"comments: {self.comments}",
            f"duplicates dropped: {self.duplicates_dropped}",
            f"replies attached by quote: {self.attached_by_quote}",
            f"replies attached by position (a reply opener: Fair., Thank you, …): "
            f"{self.attached_by_position}",
            f"top-level replies: {self.top_level}",
            f"roles inferred: {roles or 'none'}",
            f"paragraphs in/out: {self.paragraphs_in}/{self.paragraphs_out}",
        ]
        if self.listing:
            lines.append("comment listing: yes (every comment top level)")
        if self.links:
            lines.append(f"Kialo links kept as notes: {self.links}")
        if self.chrome:
            lines.append(f"site chrome removed: {len(self.chrome)} line(s)")
        lines.extend(f"note: {note}" for note in self.notes)
        lines.extend(f"DROPPED: {text}" for text in self.dropped)
        return lines


@dataclass(frozen=True)
class ParsedDebate:
    title: str
    link: str
    opening: ParsedPost
    posts: list[ParsedPost]
    report: ImportReport
    source_format: str

    def post(self, key: int) -> ParsedPost:
        if key == 0:
            return self.opening
        if 0 < key <= len(self.posts) and self.posts[key - 1].key == key:
            return self.posts[key - 1]
        for post in self.posts:
            if post.key == key:
                return post
        raise KeyError(f"no post with key {key}")

    def parent_of(self, post: ParsedPost) -> ParsedPost:
        return self.opening if post.parent_key is None else self.post(post.parent_key)

    def problems(self) -> list[str]:
        """What would stop this debate from being written as a valid thread; [] if none.

        Checked before anything is stored: keys 1..n in order, every parent earlier than
        its child (so no cycles), every quote verbatim in its parent, no empty body.
        """
        found = []
        if not self.title.strip():
            found.append("the debate has no title")
        if not self.opening.body.strip():
            found.append("the opening post is empty")
        for number, post in enumerate(self.posts, start=1):
            name = f"post {post.key}"
            if post.key != number:
                found.append(f"{name}: expected key {number}")
            if post.parent_key is not None and not 0 < post.parent_key < post.key:
                found.append(f"{name}: parent {post.parent_key} does not come before it")
                continue
            if not post.body.strip():
                found.append(f"{name}: empty body")
            if post.quote and post.quote not in self.parent_of(post).body:
                found.append(f"{name}: its quote does not occur in its parent")
            if post.role not in ROLES or post.role == "claim":
                found.append(f"{name}: {post.role!r} is not a reply role")
        return found
