/**
 * The automatic left-to-right layout of an exported BPMN diagram (diagram interchange):
 * where each shape sits and how each sequence flow is drawn. Only so that the file opens
 * readably in bpmn-js or Camunda Modeler; nothing reads the coordinates back.
 *
 * Layered, in the simplest form that stays readable for approval procedures:
 * 1. depth-first from the start in the order of the flows, marking the flows that go back
 *    to a node on the current path (returns for correction) — without them the graph is
 *    acyclic;
 * 2. rank = longest path from the start over the remaining flows: a column per rank;
 * 3. within a column, each node wants the average row of its predecessors (so a chain
 *    stays on one line) and takes the first free row from there, in discovery order;
 *    nodes where several ways meet come after the others of their column;
 * 4. flows forward run from the right side of their source to the left side of their
 *    target with one vertical step in the gap after the source's column; flows back run
 *    over the top of the diagram, flows from boundary events under its bottom, each in a
 *    lane of its own.
 * Deterministic: the same nodes and flows in the same order give the same numbers.
 */

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

/** A boundary event: drawn on the bottom edge of its host; its flows leave from there. */
export interface LayoutBoundary {
  id: string;
  host: string;
  size: number;
}

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface DiagramLayout {
  shapes: Map<string, Bounds>;
  edges: Map<string, Point[]>;
}

const COLUMN = 180;
const ROW = 130;
const MARGIN = 80;
/** Widest node (a task): columns are laid out for it. */
const CELL_WIDTH = 100;
const CELL_HEIGHT = 80;
/** Vertical distance between two flows routed over the top or under the bottom. */
const LANE = 12;

/** nodes: the first is where the depth-first walk starts (the start event). */
export function layoutDiagram(nodes: LayoutNode[], boundaries: LayoutBoundary[], edges: LayoutEdge[]): DiagramLayout {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const hostOf = new Map(boundaries.map((boundary) => [boundary.id, boundary.host]));
  const from = (edge: LayoutEdge) => hostOf.get(edge.source) ?? edge.source;
  const drawn = edges.filter((edge) => byId.has(from(edge)) && byId.has(edge.target));

  const successors = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const edge of drawn) successors.get(from(edge))!.push(edge.target);

  const { discovery, back, finish } = depthFirst(nodes, successors);
  const isBack = (edge: LayoutEdge) => back.has(`${from(edge)}\u0000${edge.target}`);

  // Reverse finishing order is a topological order of the graph without the back flows.
  const predecessors = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const edge of drawn) if (!isBack(edge)) predecessors.get(edge.target)!.push(from(edge));
  const rank = new Map<string, number>();
  for (const id of [...finish].reverse()) {
    rank.set(id, Math.max(0, ...predecessors.get(id)!.map((p) => (rank.get(p) ?? 0) + 1)));
  }

  const row = assignRows(nodes, rank, predecessors, discovery);
  const backCount = drawn.filter((edge) => !hostOf.has(edge.source) && isBack(edge)).length;
  const top = MARGIN + backCount * LANE;

  const shapes = new Map<string, Bounds>();
  const centre = (id: string): Point => ({
    x: MARGIN + rank.get(id)! * COLUMN + CELL_WIDTH / 2,
    y: top + row.get(id)! * ROW + CELL_HEIGHT / 2,
  });
  for (const node of nodes) {
    const c = centre(node.id);
    shapes.set(node.id, { x: c.x - node.width / 2, y: c.y - node.height / 2, width: node.width, height: node.height });
  }
  const onHost = new Map<string, number>();
  for (const boundary of boundaries) {
    const host = shapes.get(boundary.host);
    if (!host) continue;
    const index = onHost.get(boundary.host) ?? 0;
    onHost.set(boundary.host, index + 1);
    shapes.set(boundary.id, {
      x: host.x + host.width - boundary.size - 8 - index * (boundary.size + 6),
      y: host.y + host.height - boundary.size / 2,
      width: boundary.size,
      height: boundary.size,
    });
  }

  const bottom = Math.max(...[...shapes.values()].map((b) => b.y + b.height));
  let overLanes = 0;
  let underLanes = 0;
  const waypoints = new Map<string, Point[]>();
  for (const edge of drawn) {
    const s = shapes.get(edge.source)!;
    const t = shapes.get(edge.target)!;
    const tx = t.x + t.width / 2;
    if (hostOf.has(edge.source)) {
      const y = bottom + 40 + underLanes++ * LANE;
      const sx = s.x + s.width / 2;
      waypoints.set(edge.id, [
        { x: sx, y: s.y + s.height },
        { x: sx, y },
        { x: tx, y },
        { x: tx, y: t.y + t.height },
      ]);
    } else if (isBack(edge) || rank.get(edge.target)! <= rank.get(edge.source)!) {
      const y = top - 40 - overLanes++ * LANE;
      // Leaving right of the middle and arriving left of it, so that a flow back into the
      // same node and the flows that leave it do not overlap.
      const sx = s.x + s.width / 2 + 10;
      const ex = tx - 10;
      waypoints.set(edge.id, [
        { x: sx, y: s.y },
        { x: sx, y },
        { x: ex, y },
        { x: ex, y: t.y },
      ]);
    } else {
      const start = { x: s.x + s.width, y: s.y + s.height / 2 };
      const end = { x: t.x, y: t.y + t.height / 2 };
      if (start.y === end.y) {
        waypoints.set(edge.id, [start, end]);
      } else {
        const x = MARGIN + rank.get(edge.source)! * COLUMN + CELL_WIDTH + (COLUMN - CELL_WIDTH) / 2;
        waypoints.set(edge.id, [start, { x, y: start.y }, { x, y: end.y }, end]);
      }
    }
  }
  return { shapes, edges: waypoints };
}

/** Iterative depth-first walk: discovery order, finishing order and the flows that close a cycle. */
function depthFirst(nodes: LayoutNode[], successors: Map<string, string[]>): { discovery: Map<string, number>; back: Set<string>; finish: string[] } {
  const discovery = new Map<string, number>();
  const onPath = new Set<string>();
  const back = new Set<string>();
  const finish: string[] = [];
  for (const root of nodes) {
    if (discovery.has(root.id)) continue;
    discovery.set(root.id, discovery.size);
    onPath.add(root.id);
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const next = successors.get(frame.id)![frame.next++];
      if (next === undefined) {
        stack.pop();
        onPath.delete(frame.id);
        finish.push(frame.id);
      } else if (onPath.has(next)) {
        back.add(`${frame.id}\u0000${next}`);
      } else if (!discovery.has(next)) {
        discovery.set(next, discovery.size);
        onPath.add(next);
        stack.push({ id: next, next: 0 });
      }
    }
  }
  return { discovery, back, finish };
}

function assignRows(
  nodes: LayoutNode[],
  rank: Map<string, number>,
  predecessors: Map<string, string[]>,
  discovery: Map<string, number>,
): Map<string, number> {
  const columns = new Map<number, string[]>();
  for (const node of nodes) {
    const r = rank.get(node.id)!;
    columns.set(r, [...(columns.get(r) ?? []), node.id]);
  }
  const row = new Map<string, number>();
  for (const r of [...columns.keys()].sort((a, b) => a - b)) {
    const wanted = (id: string): number => {
      const rows = predecessors.get(id)!.map((p) => row.get(p)).filter((v): v is number => v !== undefined);
      return rows.length === 0 ? 0 : Math.round(rows.reduce((sum, v) => sum + v, 0) / rows.length);
    };
    // Nodes that merge several ways (an end event most steps can reach) go below the
    // others of their column, so that the chains leading through it stay straight.
    const merges = (id: string) => (new Set(predecessors.get(id)!).size > 1 ? 1 : 0);
    const ordered = columns.get(r)!.map((id) => ({ id, merge: merges(id), want: wanted(id), seen: discovery.get(id)! }));
    ordered.sort((a, b) => a.merge - b.merge || a.want - b.want || a.seen - b.seen);
    let next = 0;
    for (const { id, want } of ordered) {
      const at = Math.max(want, next);
      row.set(id, at);
      next = at + 1;
    }
  }
  return row;
}
