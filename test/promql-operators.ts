/**
 * Reading PromQL the way Prometheus groups it, for tests that say what an expression does with
 * no data: which operator is outermost, and whether a comparison filters (no `bool`).
 */
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { promqlSyntaxErrors } from './util';

type SyntaxNode = ReturnType<typeof promqlParser.parse>['topNode'];

/**
 * How Prometheus's grammar groups a PromQL expression's operators, `depth` levels down: a
 * binary expression as `[left, operator, ...modifiers, right]` (modifiers such as `bool` or
 * `on()` as written), parentheses looked through, and anything else, or anything deeper, as
 * its text. `promqlOperators('(a / b) > 5 or on() vector(0)', 2)` is
 * `[['(a / b)', '>', '5'], 'or', 'on()', 'vector(0)']`.
 */
export function promqlOperators(query: string, depth: number): unknown {
  const errors = promqlSyntaxErrors(query);
  if (errors.length > 0) throw new Error(`not PromQL: ${errors.join('; ')}`);
  const text = (node: SyntaxNode) => query.slice(node.from, node.to);
  const walk = (node: SyntaxNode, levels: number): unknown => {
    if (levels === 0) return text(node);
    if (node.name === 'ParenExpr') return walk(node.firstChild!, levels);
    if (node.name !== 'BinaryExpr') return text(node);
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    const [left, operator, ...rest] = children;
    const right = rest.pop()!;
    return [walk(left, levels - 1), text(operator), ...rest.map(text), walk(right, levels - 1)];
  };
  return walk(promqlParser.parse(query).topNode.firstChild!, depth);
}
