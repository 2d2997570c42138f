// chart — helpers of the figures pages: an SVG chart from the engine shown
// inline (parsed as XML, never as HTML; only drawing elements and their
// presentation attributes are kept), a Blob saved as a download, and a file
// read with a size cap.

import { h } from './dom.js';

export const LISTS_MAX = 1024 * 1024; // a list mapping (the server takes up to 1 MiB)

const ELEMENTS = new Set(['svg', 'g', 'title', 'desc', 'text', 'tspan', 'rect', 'line', 'polyline', 'path', 'circle']);
const ATTRS = /^(x|y|x1|x2|y1|y2|cx|cy|r|d|points|width|height|viewBox|fill|stroke|stroke-width|stroke-dasharray|opacity|fill-opacity|font-family|font-size|font-weight|text-anchor|dominant-baseline|transform|role|xmlns|aria-label)$/;

function clean(node) {
  for (const el of [...node.children]) {
    if (!ELEMENTS.has(el.localName)) {
      el.remove();
      continue;
    }
    for (const a of [...el.attributes]) if (!ATTRS.test(a.name)) el.removeAttribute(a.name);
    clean(el);
  }
}

// label names a chart that has no <title> of its own (the screen reader's name).
export function svgNode(text, label) {
  const doc = new DOMParser().parseFromString(text || '', 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return h('p', {}, '');
  for (const a of [...svg.attributes]) if (!ATTRS.test(a.name)) svg.removeAttribute(a.name);
  clean(svg);
  const out = document.importNode(svg, true);
  out.removeAttribute('width');
  out.removeAttribute('height');
  out.setAttribute('role', 'img');
  if (!out.querySelector('title') && label) out.setAttribute('aria-label', label);
  return out;
}

export function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob);
  const a = h('a', { href, download: filename, hidden: true }, filename);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

export async function readText(file, max) {
  if (file.size > max) throw new Error('too large');
  return file.text();
}
