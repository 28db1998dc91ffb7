"""Read an SVG written by Graphviz: nodes and edges by their <title>, and their texts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

NS = {"svg": "http://www.w3.org/2000/svg"}


@dataclass
class Element:
    title: str
    texts: list[str] = field(default_factory=list)
    strokes: list[str] = field(default_factory=list)
    fills: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    tooltip: str = ""


@dataclass
class Picture:
    nodes: dict[str, Element]
    edges: list[Element]

    def text(self) -> str:
        return "\n".join(t for e in [*self.nodes.values(), *self.edges] for t in e.texts)


def parse(svg: str) -> Picture:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    nodes, edges = {}, []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        cls = g.get("class")
        if cls not in ("node", "edge"):
            continue
        title = g.find("svg:title", NS)
        element = Element(title.text if title is not None else "")
        for child in g.iter():
            tag = child.tag.split("}")[-1]
            if tag == "text":
                element.texts.append("".join(child.itertext()))
            if child.get("stroke"):
                element.strokes.append(child.get("stroke"))
            if child.get("fill"):
                element.fills.append(child.get("fill"))
            if child.get("stroke-width"):
                element.widths.append(float(child.get("stroke-width")))
            tooltip = child.get("{http://www.w3.org/1999/xlink}title")
            if tooltip and not element.tooltip:
                element.tooltip = tooltip
        if cls == "node":
            nodes[element.title] = element
        else:
            edges.append(element)
    return Picture(nodes, edges)
