import type { Node } from "web-tree-sitter";

/**
 * Small readers over the tree-sitter-bicep syntax tree, enough for the checks in test/infra. They read what is
 * written, they do not evaluate expressions: a value that is not a literal comes back as `undefined`.
 */

export type DeclarationType =
  | "parameter_declaration"
  | "variable_declaration"
  | "resource_declaration"
  | "module_declaration"
  | "output_declaration";

/** Top-level declarations of one kind, in source order. */
export function declarations(root: Node, type: DeclarationType): Node[] {
  return root.namedChildren.filter((node) => node.type === type);
}

/** The symbolic name of a declaration (`param <name>`, `resource <name> '...'`). */
export function declarationName(declaration: Node): string {
  const name = declaration.namedChildren.find((node) => node.type === "identifier");
  if (name === undefined) throw new Error(`no name in ${declaration.text.slice(0, 40)}`);
  return name.text;
}

export interface Decorator {
  readonly name: string;
  readonly args: Node[];
}

/** The decorators written above a declaration (`@maxValue(99)` gives `maxValue` and `[99]`), comments skipped. */
export function decorators(declaration: Node): Decorator[] {
  let previous = declaration.previousNamedSibling;
  while (previous?.type === "comment") previous = previous.previousNamedSibling;
  if (previous?.type !== "decorators") return [];
  return previous.namedChildren.flatMap((decorator) => {
    const call = decorator.namedChildren[0];
    if (call === undefined) return [];
    if (call.type !== "call_expression") return [{ name: call.text, args: [] }];
    const callee = call.childForFieldName("function");
    return callee === null ? [] : [{ name: callee.text, args: callArguments(call) }];
  });
}

/** Names of the decorators written above a declaration (`@secure()` gives `secure`). */
export function decoratorNames(declaration: Node): string[] {
  return decorators(declaration).map((decorator) => decorator.name);
}

/** The type string of a resource (`'Microsoft.Web/sites@2024-04-01'`, or `'config'` for a nested one) or module path. */
export function declaredTarget(declaration: Node): string {
  const target = declaration.namedChildren.find((node) => node.type === "string");
  const value = target === undefined ? undefined : stringLiteral(target);
  if (value === undefined) throw new Error(`no literal type or path in ${declaration.text.slice(0, 60)}`);
  return value;
}

/** Whether a resource declaration refers to an existing resource instead of declaring one. */
export function isExisting(declaration: Node): boolean {
  return declaration.children.some((node) => node.type === "existing");
}

/**
 * The object a resource or module declaration assigns, looking through `if (...) {...}` and `[for ...: {...}]`.
 */
export function declarationBody(declaration: Node): Node | undefined {
  let value = declaration.namedChildren.at(-1);
  while (value !== undefined && value.type !== "object") {
    if (value.type === "if_statement") value = value.namedChildren.at(-1);
    else if (value.type === "for_statement") value = value.childForFieldName("body") ?? undefined;
    else return undefined;
  }
  return value;
}

/** The value of the declaration's `= ...` (a param's default, a var's or output's expression). */
export function assignedValue(declaration: Node): Node | undefined {
  const equals = declaration.children.findIndex((node) => node.type === "=");
  return equals === -1 ? undefined : (declaration.children.slice(equals + 1).find((node) => node.isNamed) ?? undefined);
}

export interface ObjectProperty {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node;
}

/** The `key: value` properties of an object literal; nested resource declarations are not properties. */
export function objectProperties(object: Node): ObjectProperty[] {
  return object.namedChildren.flatMap((property) => {
    if (property.type !== "object_property") return [];
    const [keyNode, value] = property.namedChildren.filter((node) => node.type !== "comment");
    if (keyNode === undefined || value === undefined) return [];
    const key = keyNode.type === "string" ? stringLiteral(keyNode) : keyNode.text;
    return key === undefined ? [] : [{ key, keyNode, value }];
  });
}

/** The value of a property reached by a path of keys through nested object literals. */
export function propertyAt(object: Node | undefined, ...keys: string[]): Node | undefined {
  let current = object;
  for (const key of keys) {
    if (current?.type !== "object") return undefined;
    current = objectProperties(current).find((property) => property.key === key)?.value;
  }
  return current;
}

/** The text of a string literal without interpolation, or `undefined` for anything else. */
export function stringLiteral(node: Node): string | undefined {
  if (node.type !== "string") return undefined;
  if (node.namedChildren.some((part) => part.type === "interpolation")) return undefined;
  return node.namedChildren
    .filter((part) => part.type === "string_content" || part.type === "escape_sequence")
    .map((part) => part.text)
    .join("");
}

/** Every function call under a node, with the called name (`listKeys` for both `listKeys(x)` and `x.listKeys()`). */
export function calls(node: Node): { name: string; node: Node }[] {
  return node.descendantsOfType("call_expression").flatMap((call) => {
    const callee = call.childForFieldName("function");
    if (callee === null) return [];
    const name = callee.type === "member_expression" ? callee.childForFieldName("property")?.text : callee.text;
    return name === undefined ? [] : [{ name, node: call }];
  });
}

/** The arguments of a call expression, in order. */
export function callArguments(call: Node): Node[] {
  return call.childForFieldName("arguments")?.namedChildren.filter((node) => node.type !== "comment") ?? [];
}

/** "file:line:column" of a node, for failure messages. */
export function where(file: string, node: Node): string {
  return `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}
