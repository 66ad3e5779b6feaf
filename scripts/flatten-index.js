#!/usr/bin/env node
// Rewrites a package index's re-exports (`export * from './m'`, `export { a, b } from './m'`)
// as `import * as m from './m'` plus one `export import a = m.a;` per name, which tsc
// compiles to a plain data property (`exports.a = m.a`) rather than a getter. Why: tsc
// compiles every re-export to an accessor, and `export *`'s accessors all share one
// closure (`function () { return m[k]; }`), so each `pkg_1.a` read in another package is
// a getter call with a megamorphic keyed load, and an exports object of ~100 accessors is
// kept in dictionary mode (generic LoadIC). The names come from the TypeScript checker
// (what `export *` would export, ambiguous names left out as tsc does); `export type {..}`
// lines and everything else are kept. Prints the files it changed; run prettier after.
// To add a module or names to an entry: write `export * from './new'` (or `export { a }
// from './m'`) in it as usual, then run this on the entry.
//   node scripts/flatten-index.js packages/<p>/src/index.ts ...
// The guard: packages/cli/src/architecture.test.ts checks every package entry has no getter.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const files = process.argv.slice(2).map((f) => path.resolve(f));
if (files.length === 0) {
  console.error('usage: node scripts/flatten-index.js packages/<p>/src/index.ts ...');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const base = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
const options = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, root).options;
const program = ts.createProgram(files, { ...options, noEmit: true, composite: false });
const checker = program.getTypeChecker();

/** A name with no value at runtime (a type, or a value re-exported with `export type`). */
function typeOnly(sym) {
  let cur = sym;
  for (let i = 0; i < 32 && cur && cur.flags & ts.SymbolFlags.Alias; i++) {
    if (cur.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) return true;
    cur = checker.getImmediateAliasedSymbol(cur);
  }
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  return !(target.flags & ts.SymbolFlags.Value);
}

function identFor(spec, taken) {
  const baseName =
    spec
      .split('/')
      .pop()
      .replace(/^[\d-]+/, '') || 'mod';
  let id = baseName.replace(/[-.]+(\w)/g, (_, c) => c.toUpperCase()).replace(/\W/g, '');
  id = id.charAt(0).toLowerCase() + id.slice(1);
  if (!/^[a-z_]/i.test(id)) id = `m${id}`;
  while (taken.has(id)) id = `${id}Module`;
  taken.add(id);
  return id;
}

for (const file of files) {
  const sf = program.getSourceFile(file);
  const text = sf.getFullText();
  const finalNames = new Set(
    checker.getExportsOfModule(checker.getSymbolAtLocation(sf)).map((s) => s.name),
  );
  // Identifiers already declared or imported in the file, and the names it exports.
  const taken = new Set(finalNames);
  sf.forEachChild((n) => {
    if (ts.isImportDeclaration(n) && n.importClause) {
      const c = n.importClause;
      if (c.name) taken.add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) taken.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const e of b.elements) taken.add(e.name.text);
    } else if (n.name && ts.isIdentifier(n.name)) taken.add(n.name.text);
    else if (ts.isVariableStatement(n))
      for (const d of n.declarationList.declarations)
        if (ts.isIdentifier(d.name)) taken.add(d.name.text);
  });
  const assigned = new Set();
  // Names an explicit `export { .. } from` or an `export import` gives: a star does not
  // re-export those.
  for (const n of sf.statements)
    if (
      ts.isImportEqualsDeclaration(n) &&
      n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    )
      assigned.add(n.name.text);
  for (const n of sf.statements)
    if (ts.isExportDeclaration(n) && n.moduleSpecifier && n.exportClause)
      if (ts.isNamedExports(n.exportClause))
        for (const e of n.exportClause.elements) assigned.add(e.name.text);

  const groups = []; // { stmt, spec, id, lines }
  const bySpec = new Map();
  for (const n of sf.statements) {
    if (!ts.isExportDeclaration(n) || !n.moduleSpecifier || n.isTypeOnly) continue;
    if (n.exportClause && !ts.isNamedExports(n.exportClause)) continue; // export * as ns
    // `default` cannot be named in `m.default`: such a re-export stays as it is.
    if (n.exportClause?.elements.some((e) => (e.propertyName ?? e.name).text === 'default'))
      continue;
    const spec = n.moduleSpecifier.text;
    let g = bySpec.get(spec);
    if (!g) {
      g = { spec, id: identFor(spec, taken), pairs: [], stmts: [] };
      bySpec.set(spec, g);
      groups.push(g);
    }
    g.stmts.push(n);
    if (n.exportClause) {
      for (const e of n.exportClause.elements)
        g.pairs.push([
          e.name.text,
          (e.propertyName ?? e.name).text,
          e.isTypeOnly || typeOnly(checker.getSymbolAtLocation(e.name)),
        ]);
    } else {
      const mod = checker.getSymbolAtLocation(n.moduleSpecifier);
      for (const s of checker.getExportsOfModule(mod)) {
        if (s.name === 'default' || !finalNames.has(s.name) || assigned.has(s.name)) continue;
        assigned.add(s.name);
        g.pairs.push([s.name, s.name, typeOnly(s)]);
      }
    }
  }
  if (groups.length === 0) continue;
  // Edits, applied from the end: each re-export statement goes (its comments stay), and
  // the namespace imports go after the file's last import, else before its first statement.
  const imports = groups
    .filter((g) => g.pairs.some((p) => !p[2]))
    .map((g) => `import * as ${g.id} from '${g.spec}';`)
    .join('\n');
  const edits = [];
  for (const g of groups)
    for (const st of g.stmts) {
      let end = st.getEnd();
      while (text[end] === ' ' || text[end] === '\t') end++;
      if (text[end] === '\n') end++;
      edits.push([st.getStart(sf), end, '']);
    }
  const lastImport = [...sf.statements].reverse().find((n) => ts.isImportDeclaration(n));
  if (!imports) {
    // every name was a type, or already exported: nothing to import
  } else if (lastImport) edits.push([lastImport.getEnd(), lastImport.getEnd(), `\n${imports}`]);
  else edits.push([sf.statements[0].getStart(sf), sf.statements[0].getStart(sf), `${imports}\n\n`]);
  // From the end; at one position the deletion before the insertion.
  edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  let out = text;
  for (const [s, e, r] of edits) out = out.slice(0, s) + r + out.slice(e);
  const exports = groups
    .map((g) => {
      const types = g.pairs.filter((p) => p[2]);
      const lines = g.pairs
        .filter((p) => !p[2])
        .map(([name, prop]) => `export import ${name} = ${g.id}.${prop};`);
      if (types.length > 0) {
        const names = types.map(([name, prop]) => (name === prop ? name : `${prop} as ${name}`));
        lines.unshift(`export type { ${names.join(', ')} } from '${g.spec}';`);
      }
      return lines.join('\n');
    })
    .filter(Boolean)
    .join('\n\n');
  out = exports ? `${out.replace(/\n+$/, '')}\n\n${exports}\n` : out;
  fs.writeFileSync(file, out);
  console.log(
    `${path.relative(root, file)}: ${groups.reduce((n, g) => n + g.pairs.length, 0)} names`,
  );
}
