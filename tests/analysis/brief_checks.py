"""A small hand-labelled check set for the summaries, and the three measures on it.

Threads: the three demo dumps (threads/demo, read through the importer's pure parser
and the Markdown renderer, as `import_debate` stores them) and two synthetic threads
written here. Labels are sentences, not post ids, so they survive re-parsing:

- `banter`: sentences that carry no claim (thanks, praise, bare agreement, jokes,
  talk about the conversation);
- `main_claims`: the sentences a reader retelling the debate would have to mention.

Measures (`measure`), over a summary's JSON:

- banter in brief: brief items whose text is labelled banter, or whose post holds
  nothing but banter;
- misattributed: extracts (every section) whose cited post's own text does not
  contain them — own text excludes the post's quote of its parent, its block
  quotes, and any sentence an earlier post or an ancestor already wrote;
- repeated: sentences quoted in more than one section (or twice in one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from threads import markdown
from threads.analysis.sentences import block_quotes
from threads.analysis.snapshot import PostInput, ThreadSnapshot
from threads.importers import load_dump
from threads.importers.records import record_from_parsed

DEMO = Path(__file__).resolve().parents[2] / "threads" / "demo"


def _flat(text: str) -> str:
    return " ".join(text.split())


def demo_snapshot(name: str, fmt: str) -> ThreadSnapshot:
    """A demo dump as the analysis would see it after `import_debate` (no votes)."""
    record = record_from_parsed(load_dump(DEMO / name, fmt=fmt, title="demo"))
    ids = {post.key: number for number, post in enumerate(record.posts, start=1)}
    posts = tuple(
        PostInput(
            id=ids[post.key],
            parent=None if post.parent_key is None else ids[post.parent_key],
            author=post.author,
            role=post.role,
            text=markdown.render_post(post.body)[1],
            quote=post.quote,
            created=float(number),
            placeholder=post.placeholder,
            quoted=block_quotes(post.body),
        )
        for number, post in enumerate(record.posts)
    )
    return ThreadSnapshot(thread_id=1, root=1, posts=posts)


def _post(id, parent, author, role, text, **extra) -> PostInput:
    return PostInput(id, parent, author, role, text, created=float(id), **extra)


def thanks_thread() -> ThreadSnapshot:
    """A native Crux thread where half the replies are thanks and jokes."""
    claim = "Scaling language models will not by itself produce agents that plan."
    objection = "Models trained to predict text already plan several tokens ahead."
    posts = (
        _post(1, None, "ana", "claim", f"{claim} Planning needs a goal the training never gives."),
        _post(2, 1, "ben", "comment", "Great post, thanks! Well put."),
        _post(3, 1, "cy", "rebuttal", f"{objection} Interpretability work found it in rhyme."),
        _post(4, 3, "ana", "answer", "Planning a rhyme is not planning in the world."),
        _post(5, 3, "dee", "comment", "lol. This thread is gold."),
        _post(6, 3, "eli", "support", "Agreed. The rhyme result replicated on two models."),
        _post(7, 4, "cy", "concession", "Fair. A rhyme is a narrow kind of plan.", quote=""),
        _post(8, 1, "fay", "question", "What would count as evidence of real planning?"),
        _post(9, 8, "ana", "answer", "Acting to change its inputs with no prompt asking."),
        _post(10, 1, "gus", "comment", "Thanks for writing this up. Interesting."),
    )
    return ThreadSnapshot(2, 1, posts)


def quoting_thread() -> ThreadSnapshot:
    """A thread whose replies paste their parents' sentences (with and without
    markup), under a stand-in opening post, as imported comment sections are."""
    line = "Deceptive alignment needs a model that models its own training process."
    posts = (
        _post(
            1,
            None,
            "importer",
            "claim",
            "Imported comment section: the post these comments discuss was not part of the dump.",
            placeholder=True,
        ),
        _post(2, 1, "kim", "comment", f"{line} Current models show no sign of that."),
        _post(
            3,
            2,
            "lee",
            "rebuttal",
            f"{line}\n\nSituational awareness benchmarks say they already do.",
            quote=line,
        ),
        _post(
            4,
            3,
            "max",
            "comment",
            "Benchmarks measure answers about training, not use of it.\n\n"
            "Current models show no sign of that.",
            quoted="Situational awareness benchmarks say they already do.",
        ),
        _post(5, 4, "kim", "concession", "True, the benchmarks only ask questions.", quote=""),
        _post(6, 2, "nia", "comment", "Thanks, this is a useful frame!"),
        _post(7, 3, "oz", "support", "The benchmark models also act on that knowledge."),
    )
    return ThreadSnapshot(3, 1, posts)


@dataclass(frozen=True)
class Labelled:
    name: str
    snapshot: ThreadSnapshot
    banter: frozenset[str]
    main_claims: frozenset[str]


def check_set() -> list[Labelled]:
    return [
        Labelled(
            "motte-ai-scientist",
            demo_snapshot("motte-ai-scientist.txt", "motte"),
            frozenset(
                {
                    "Figured this might be an update to some Mottizens.",
                    "This too was good times.",
                    "I am absolutely smiling and laughing as I write this.",
                    "When we are all dead, let none say the universe didn’t send two boats "
                    "and a helicopter.",
                    "Um, he didn't say that - not here, at the very least.",
                    "I checked.",
                    "Yes, absolutely correct.",
                    "For the record, my major's pure mathematics; I've done no medicine or "
                    "philosophy at uni level, though I've done a couple of psych electives.",
                    "Oh, it’s nothing, just the AI creating new instantiations of itself.",
                    "Yep, AI editing the code to use arbitrarily large resources, sure, why not.",
                    "Fair.",
                    "Ah, sorry, I thought this part of the argument was common knowledge so I "
                    "skipped it.",
                }
            ),
            frozenset(
                {
                    "Zvi Mowshowitz reporting on an LLM exhibiting unprompted instrumental "
                    "convergence.",
                    "The idea that an LLM is spontaneously going to develop a consciousness and "
                    "carefully hide its power level so that it can do better at the goals that "
                    "by default it doesn't have is silly.",
                    "So I think AI scientists are far off.",
                    "To more directly respond to this sentence: almost everyone will give LLMs "
                    "goals, via RLHF or RLAIF or whatever, because that makes them useful - "
                    "that's why this team gave their LLM a goal.",
                    "Those goals are then almost invariably, with sufficient intelligence, "
                    "subject to instrumental convergence, as in this case (as I noted in the "
                    "submission statement, I posted this because a number of Mottizens seemed "
                    "to think LLMs wouldn't exhibit instrumental convergence; I thought "
                    "otherwise but didn't previously have a concrete example).",
                    "That is sufficient to get you to Uh-Oh land with AIs attempting to take "
                    "over the world.",
                    "LLMs are simply not a type of program that will attempt to hide their "
                    "power level of their own accord.",
                    "I posit that ML models will be trained using a finite amount of hardware "
                    "for a finite amount of time.",
                    "The prompt isn't the whole story; RLHFed LLMs do still engage in most of "
                    "their RLHFed behaviours without a system prompt telling them to.",
                    "Alignment seems to me to be basically straightforward - we train on a "
                    "massive corpus of text by mostly ordinary people, and then RLHF for "
                    "politeness and helpfulness.",
                }
            ),
        ),
        Labelled(
            "lesswrong-shoggoth-agency",
            demo_snapshot("lesswrong-shoggoth-agency.txt", "lesswrong"),
            frozenset(
                {
                    "Imported comment section: the post these comments discuss was not part "
                    "of the dump.",
                    "Here are some different things that come to mind.",
                    "Others may have different views on this.",
                    "True.",
                    "Sorry, looks like I wasn’t very clear.",
                    "That’s the setup.",
                    "Agree.",
                    "But who knows.",
                }
            ),
            frozenset(
                {
                    "I don’t see any room for shoggoth’s agency in this setup.",
                    "Since the world-model-consultation is only selected to be useful for "
                    "predicting the next token, the consequentialist question which the system "
                    "asks its world-model could be fairly arbitrary so long as it has a good "
                    "correlation with next-token-prediction utility on the training data.",
                    "Even regular humans are not aligned with other humans.",
                    "Shoggoth wasn’t trained to do stuff in the real world.",
                    "Being vaguely kinda sorta human-like doesn’t mean safe.",
                    "What this suggests is that given a long context window, LLMs reconstruct "
                    "the information which would have been kept around in a recurrent state "
                    "pretty well anyway.",
                    "Input-output type signatures do not tell us much about the simplicity or "
                    "complexity of calculations within.",
                }
            ),
        ),
        Labelled(
            "lesswrong-predictor-vs-agent",
            demo_snapshot("lesswrong-predictor-vs-agent.txt", "lesswrong"),
            frozenset(
                {
                    "I’m not trying to ask a rhetorical question ala “everyone already thinks "
                    "this, this isn’t an update”.",
                    "I’m trying to ascertain if there’s a consensus on this point.",
                    "[Though I want to emphasize that that’s my summary, which he might not "
                    "endorse.]",
                    "I’m not going to really justify claim 1 beyond this atm.",
                    "This presentation of mine is about a very related question.",
                    "Maybe I should write something about this myself, potentially after "
                    "spending some more time understanding the matter more clearly.",
                }
            ),
            frozenset(
                {
                    "As we argued for at the time, training on a purely predictive loss "
                    "should, even in the limit, give you a predictor, not an agent—and we’ve "
                    "now seen this stay true even through substantial scaling (though there is "
                    "still some chance this will break at some point).",
                    "Does anyone still think that or something like that?",
                    "I think the main reason we don’t have obvious agents yet is that agency "
                    "is actually very hard (consider the extent to which it is difficult for "
                    "humans to generalize agency from specific evolutionarily optimized forms).",
                    "By default, a system sufficiently good at predicting stuff will be able "
                    "to (figure out how to) do scary real-world stuff as well.",
                    "I think this is false because I think claims 1 and 2 below are true.",
                }
            ),
        ),
        Labelled(
            "synthetic-thanks",
            thanks_thread(),
            frozenset(
                {
                    "Great post, thanks!",
                    "Well put.",
                    "lol.",
                    "This thread is gold.",
                    "Agreed.",
                    "Fair.",
                    "Thanks for writing this up.",
                    "Interesting.",
                }
            ),
            frozenset(
                {
                    "Scaling language models will not by itself produce agents that plan.",
                    "Models trained to predict text already plan several tokens ahead.",
                    "Planning a rhyme is not planning in the world.",
                    "A rhyme is a narrow kind of plan.",
                    "What would count as evidence of real planning?",
                }
            ),
        ),
        Labelled(
            "synthetic-quoting",
            quoting_thread(),
            frozenset(
                {
                    "Imported comment section: the post these comments discuss was not part "
                    "of the dump.",
                    "Thanks, this is a useful frame!",
                }
            ),
            frozenset(
                {
                    "Deceptive alignment needs a model that models its own training process.",
                    "Situational awareness benchmarks say they already do.",
                    "Benchmarks measure answers about training, not use of it.",
                }
            ),
        ),
    ]


def extracts(summary: dict) -> list[tuple[str, str, int]]:
    """(section, text, post) of every sentence a summary's JSON quotes."""
    found = [("brief", e["text"], e["post"]) for e in summary["brief"]]
    for camp in summary["groups"]:
        found += [(f"group {camp['group']}", e["text"], e["post"]) for e in camp["sentences"]]
    for crux in summary["cruxes"]:
        if crux["text"] is not None:
            found.append(("cruxes", crux["text"], crux["post"]))
        for side in ("support", "rebuttal"):
            if crux[side]:
                found.append(("cruxes", crux[side]["text"], crux[side]["post"]))
    found += [("common_ground", e["text"], e["post"]) for e in summary["common_ground"]]
    found += [("open", e["text"], e["post"]) for e in summary["open"]]
    return found


def said_by(snapshot: ThreadSnapshot, text: str, post_id: int) -> bool:
    """Whether `post_id` wrote `text` itself: in its text, not in what it quotes, and
    not written earlier by another post (or by any of its ancestors)."""
    by_id = {post.id: post for post in snapshot.posts}
    post = by_id[post_id]
    flat = _flat(text)
    if flat not in _flat(post.text) or post.placeholder:
        return False
    if flat in _flat(post.quote) or flat in _flat(post.quoted):
        return False
    ancestors = set()
    current = post.parent
    while current is not None and current in by_id:
        ancestors.add(current)
        current = by_id[current].parent
    for other in snapshot.posts:
        if other.id == post_id:
            continue
        earlier = (other.created, other.id) < (post.created, post.id)
        if (earlier or other.id in ancestors) and flat in _flat(other.text):
            return False
    return True


@dataclass(frozen=True)
class Measures:
    brief: int
    banter_in_brief: int
    main_claims_in_brief: int
    checked: int
    misattributed: int
    repeated: int
    placeholder_cited: int

    def line(self) -> str:
        return (
            f"brief {self.brief}, banter in brief {self.banter_in_brief}, main claims in "
            f"brief {self.main_claims_in_brief}, misattributed {self.misattributed}/"
            f"{self.checked}, repeated across sections {self.repeated}, placeholder cited "
            f"{self.placeholder_cited}"
        )


def measure(labelled: Labelled, summary: dict) -> Measures:
    snapshot = labelled.snapshot
    by_id = {post.id: post for post in snapshot.posts}
    found = extracts(summary)
    banter = {_flat(text) for text in labelled.banter}

    def is_banter(text: str) -> bool:
        return _flat(text) in banter or any(_flat(text) in b for b in banter)

    brief = [(text, post) for section, text, post in found if section == "brief"]
    counts = Counter(_flat(text) for _, text, _ in found)
    main = {_flat(text) for text in labelled.main_claims}
    return Measures(
        brief=len(brief),
        banter_in_brief=sum(is_banter(text) for text, _ in brief),
        main_claims_in_brief=len({_flat(t) for t, _ in brief} & main),
        checked=len(found),
        misattributed=sum(not said_by(snapshot, text, post) for _, text, post in found),
        repeated=sum(n - 1 for n in counts.values() if n > 1),
        placeholder_cited=sum(by_id[post].placeholder for _, _, post in found),
    )


if __name__ == "__main__":
    # `python -m tests.analysis.brief_checks`: the three measures on the check set for
    # the code checked out, one line per thread.
    from threads.analysis.summaries import summarize_thread
    from threads.analysis.thread_map import analyze_thread

    for item in check_set():
        result = summarize_thread(item.snapshot, analyze_thread(item.snapshot)).to_json()
        print(f"{item.name:30} {result['status']:10} {measure(item, result).line()}")
