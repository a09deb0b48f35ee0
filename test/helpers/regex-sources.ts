// Every regular expression a set of source files can run: the regex literals (found by parsing, so none is
// missed or copied by hand), and the `new RegExp(...)` call sites, counted so a test can insist that each
// pattern built at run time is checked through the module that builds it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface RegexLiteral {
  /** file:line, for the test's name. */
  where: string;
  pattern: RegExp;
}

export interface RegexSources {
  literals: RegexLiteral[];
  /** file:line of each `new RegExp(...)` or `RegExp(...)` call. */
  constructed: string[];
}

/** The non-test .ts files directly in each directory (relative to the repository root). */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(root, dir))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => path.join(dir, name)),
  );
}

export function regexSources(root: string, files: readonly string[]): RegexSources {
  const out: RegexSources = { literals: [], constructed: [] };
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const literal = node.text;
        const end = literal.lastIndexOf('/');
        out.literals.push({ where: where(node), pattern: new RegExp(literal.slice(1, end), literal.slice(end + 1)) });
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'RegExp'
      ) {
        out.constructed.push(where(node));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}
