from pipeline.assemble import assemble, role_in_sentence
from schemas import ConceptType, LinkType, Mention, Paper, PaperExtraction, Role


def mention(text: str, ctype: ConceptType, sentence: str, field: str = "abstract") -> Mention:
    start = sentence.find(text)
    assert start >= 0
    return Mention(
        text=text, type=ctype, start=start, end=start + len(text), field=field,
        sentence=sentence, name=text, key=text.lower(),
    )


def test_we_propose_marks_the_object_as_proposed() -> None:
    s = "We propose LATS, a framework that uses GPT-4 as the agent."
    assert role_in_sentence(mention("LATS", ConceptType.METHOD, s)) is Role.PROPOSES
    assert role_in_sentence(mention("GPT-4", ConceptType.METHOD, s)) is Role.USES


def test_evaluation_sentence_marks_benchmarks_evaluated_on() -> None:
    s = "We evaluate our agent on WebArena and HotpotQA."
    assert role_in_sentence(mention("WebArena", ConceptType.BENCHMARK, s)) is Role.EVALUATES_ON
    plain = "The agent reads documents from HotpotQA."
    assert role_in_sentence(mention("HotpotQA", ConceptType.DATASET, plain)) is Role.USES


def test_tasks_are_addressed_and_title_prefix_is_proposed() -> None:
    s = "Large models struggle with question answering."
    assert role_in_sentence(mention("question answering", ConceptType.TASK, s)) is Role.ADDRESSES
    title = "WebArena: A Realistic Web Environment for Building Autonomous Agents"
    m = mention("WebArena", ConceptType.BENCHMARK, title, field="title")
    assert role_in_sentence(m) is Role.PROPOSES


def test_assemble_keeps_strongest_role_votes_type_and_states_links() -> None:
    paper = Paper(id="p1", title="t", abstract="...")
    s1 = "We introduce Reflexion for code generation."
    s2 = "Reflexion reaches 91% on HumanEval, evaluated against GPT-4."
    s3 = "Reflexion improves results on HumanEval."
    mentions = (
        mention("Reflexion", ConceptType.METHOD, s1),
        mention("code generation", ConceptType.TASK, s1),
        mention("Reflexion", ConceptType.METHOD, s2),
        mention("HumanEval", ConceptType.BENCHMARK, s2),
        mention("HumanEval", ConceptType.DATASET, s3),
        mention("GPT-4", ConceptType.METHOD, s2),
    )
    batch = assemble([PaperExtraction(paper=paper, mentions=mentions)])
    roles = {e.concept_key: (e.role, e.count) for e in batch.paper_concepts}
    assert roles["reflexion"] == (Role.PROPOSES, 2)
    assert roles["code generation"] == (Role.ADDRESSES, 1)
    assert roles["humaneval"] == (Role.EVALUATES_ON, 2)
    types = {c.key: c.type for c in batch.concepts}
    assert types["humaneval"] is ConceptType.BENCHMARK  # 1-1 tie goes to the specific type
    links = {(link.source, link.target, link.type) for link in batch.links}
    assert ("reflexion", "code generation", LinkType.APPLIED_TO) in links
    assert ("reflexion", "humaneval", LinkType.EVALUATED_ON) in links
    assert not any(link.source == "gpt-4" for link in batch.links)
