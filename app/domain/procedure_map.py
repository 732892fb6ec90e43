"""The shape of a workflow for the procedure map: its main line of stages and what kind of move
each decision is (onward, back, again, or a side exit). Read from the rules only, so a county's own
rules file is mapped the same way as the shipped one."""

from __future__ import annotations

from app.domain.rules import DecisionRule, Step, Workflow

ONWARD = "onward"  # along the main line (same stage, or the next main-line stage)
BACK = "back"  # to an earlier stage or step
AGAIN = "again"  # the same step once more
EXIT = "exit"  # off the main line: 了结, 暂存, 移送, 转送 …
RETURN = "return"  # from a side stage back onto the main line


def main_line(wf: Workflow) -> tuple[str, ...]:
    """Stage ids of the longest forward route from the initial stage to a terminal step's stage,
    over stages not marked `side` (forward = later in the file's stage order)."""
    order = [s.id for s in wf.stages if not s.side]
    index = {sid: i for i, sid in enumerate(order)}
    edges: dict[str, set[str]] = {sid: set() for sid in order}
    for step in wf.steps.values():
        for d in step.decisions:
            target = wf.steps.get(d.target)
            if target is None or step.stage_id not in index or target.stage_id not in index:
                continue
            if index[target.stage_id] > index[step.stage_id]:
                edges[step.stage_id].add(target.stage_id)
    start = wf.steps[wf.initial_step].stage_id if wf.initial_step in wf.steps else ""
    if start not in index:
        return tuple(order)
    best: dict[str, tuple[str, ...]] = {start: (start,)}
    for sid in order[index[start]:]:  # stage order is a topological order of the forward edges
        if sid not in best:
            continue
        for nxt in edges[sid]:
            if len(best[sid]) + 1 > len(best.get(nxt, ())):
                best[nxt] = best[sid] + (nxt,)
    ends = {s.stage_id for s in wf.steps.values() if s.terminal} & set(best)
    if not ends:
        return tuple(order)
    return max((best[e] for e in ends), key=len)


def decision_kind(wf: Workflow, step: Step, decision: DecisionRule, line: tuple[str, ...]) -> str:
    """What kind of move `decision` from `step` is, relative to the main line `line`."""
    target = wf.steps.get(decision.target)
    if target is None:
        return EXIT
    if target.id == step.id:
        return AGAIN
    here, there = step.stage_id, target.stage_id
    if there not in line:
        return EXIT
    if here not in line:
        return RETURN
    i, j = line.index(here), line.index(there)
    if j < i:
        return BACK
    if j == i:  # within a stage: back when the target comes earlier and itself leads here
        members = wf.stage(here).step_ids
        earlier = members.index(target.id) < members.index(step.id)
        return BACK if earlier and any(d.target == step.id for d in target.decisions) else ONWARD
    if j == i + 1:
        return ONWARD
    # a jump ahead: onward unless it lands in the last stage early (了结 without the rest of the line)
    return EXIT if j == len(line) - 1 else ONWARD
