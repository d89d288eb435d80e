// The Grappe mark: a small bunch of grapes, drawn inline (no image files, no external assets).
const SVG_NS = 'http://www.w3.org/2000/svg';
const GRAPES: ReadonlyArray<[number, number]> = [
  [7, 8],
  [13, 8],
  [19, 8],
  [10, 13.5],
  [16, 13.5],
  [13, 19],
];

export function logo(size = 22): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 26 26');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('class', 'logo');
  svg.setAttribute('aria-hidden', 'true');
  const stem = document.createElementNS(SVG_NS, 'path');
  stem.setAttribute('d', 'M13 5 C13 3 14 1.5 16 1');
  stem.setAttribute('stroke', '#7bbf6a');
  stem.setAttribute('stroke-width', '1.6');
  stem.setAttribute('fill', 'none');
  svg.appendChild(stem);
  for (const [cx, cy] of GRAPES) {
    const grape = document.createElementNS(SVG_NS, 'circle');
    grape.setAttribute('cx', String(cx));
    grape.setAttribute('cy', String(cy));
    grape.setAttribute('r', '3.3');
    grape.setAttribute('fill', '#8a6ad6');
    grape.setAttribute('stroke', '#4b3290');
    grape.setAttribute('stroke-width', '0.8');
    svg.appendChild(grape);
  }
  return svg;
}
