"""Flows drawn as Mermaid diagrams, so the methodology people review the conversation itself."""

from __future__ import annotations

from dialogs.content.flows import Flow, Node, NodeKind
from dialogs.content.load import Content


def _mermaid_id(flow: Flow, node: Node) -> str:
    return f"{flow.id}_{node.id}".replace(".", "_")


def _quoted(text: str) -> str:
    # Mermaid labels are double-quoted; the entity keeps a quote inside one readable.
    return text.replace('"', "#quot;")


def _label(content: Content, language: str, node: Node) -> str:
    if node.kind is NodeKind.SAVE:
        return f"💾 {node.record}"
    if node.kind is NodeKind.SUBFLOW:
        return f"↪ {content.text(language, f'flows.{node.subflow}.title')}"
    if node.kind is NodeKind.INFO or node.label_key is None:
        first_line = content.text(language, node.prompt_key).strip().splitlines()[0]
        return f"💬 {first_line}"
    prompt = content.text(language, node.prompt_key).strip().replace("\n", "<br/>")
    label = f"<b>{content.text(language, node.label_key)}</b><br/>{prompt}"
    if node.options:
        names = ", ".join(content.text(language, key) for key in node.option_keys)
        kind = "1" if node.kind is NodeKind.CHOICE else f"{node.min_choices}-{node.max_choices}"
        return f"{label}<br/><i>{kind} of: {names}</i>"
    if node.dynamic_options or node.kind in (NodeKind.DATE, NodeKind.MOMENT):
        return f"{label}<br/><i>{node.dynamic_options or node.kind.value}</i>"
    return label


def _edges(flow: Flow, content: Content, language: str) -> list[str]:
    """Arrows in order; a condition or a jump is written on its arrow."""
    lines = []
    for node, following in zip(flow.nodes, flow.nodes[1:], strict=False):
        condition = " and ".join(
            [f"{name} = {value}" for name, value in following.when.items()]
            + [f"no {name}" for name in following.unless]
        )
        arrow = f'-->|"{_quoted(condition)}"|' if condition else "-->"
        lines.append(f"  {_mermaid_id(flow, node)} {arrow} {_mermaid_id(flow, following)}")
        for option, target in node.next.items():
            jump = _mermaid_id(flow, flow.node(target))
            lines.append(f'  {_mermaid_id(flow, node)} -->|"{option}"| {jump}')
        if node.subflow:
            child = content.flows[node.subflow]
            lines.append(f"  {_mermaid_id(flow, node)} -.-> {_mermaid_id(child, child.nodes[0])}")
    return lines


def mermaid(content: Content, language: str) -> str:
    """Every flow as one Mermaid flowchart; repeated questions grouped per list item."""
    ui = content.ui(language)
    lines = ["flowchart TD"]
    for flow in content.flows.values():
        lines.append(
            f'  subgraph {flow.id}["{_quoted(content.text(language, f"flows.{flow.id}.title"))}"]'
        )
        group: str | None = None
        for node in flow.nodes:
            if node.group != group:
                if group is not None:
                    lines.append("    end")
                if node.group and node.group_key:
                    name = _quoted(content.text(language, node.group_key))
                    lines.append(f'    subgraph {flow.id}__{node.group}["{name}"]')
                group = node.group
            shape = ('(["', '"])') if node.kind is NodeKind.INFO else ('["', '"]')
            label = _quoted(_label(content, language, node))
            lines.append(f"      {_mermaid_id(flow, node)}{shape[0]}{label}{shape[1]}")
        if group is not None:
            lines.append("    end")
        lines.append("  end")
        lines += _edges(flow, content, language)
    controls = " · ".join((ui.back, ui.skip, ui.dont_know, ui.pause))
    lines.append(f'  controls["{_quoted(controls)}"]')
    return "\n".join(lines) + "\n"
