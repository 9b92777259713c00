import type { Node } from "web-tree-sitter";
import { assignedValue, calls, declarationName, declarations, decoratorNames, where } from "./bicepNodes";

/** Output names that suggest the value is a credential. */
const secretName = /key|secret|password|connection|token|sas|credential/i;

/** Properties that hold keys (`.keys`, `.primaryKey`, `.InstrumentationKey`...). */
const keyProperty = /keys?$/i;

/** Strings that embed a storage key or SAS. */
const keyInString = /AccountKey|SharedAccessSignature|sig=/i;

/**
 * Every place in one Bicep file where a key or secret could be read or leave the deployment: `list*()` calls
 * (listKeys, listAccountSas, listSecrets...), key properties, key-bearing connection strings, and outputs that are
 * secure, named like a secret, or computed from a connection string.
 */
export function secretLeaks(file: string, root: Node): string[] {
  const leaks: string[] = [];
  for (const call of calls(root)) {
    if (/^list/i.test(call.name)) leaks.push(`${where(file, call.node)}: calls ${call.name}()`);
  }
  for (const property of root.descendantsOfType("property_identifier")) {
    if (keyProperty.test(property.text)) leaks.push(`${where(file, property)}: reads .${property.text}`);
  }
  for (const content of root.descendantsOfType("string_content")) {
    if (keyInString.test(content.text)) leaks.push(`${where(file, content)}: key material in a string`);
  }
  for (const output of declarations(root, "output_declaration")) {
    const name = declarationName(output);
    if (decoratorNames(output).includes("secure")) leaks.push(`${where(file, output)}: output ${name} is @secure()`);
    if (secretName.test(name)) leaks.push(`${where(file, output)}: output ${name} is named like a secret`);
    if (/ConnectionString|InstrumentationKey/i.test(assignedValue(output)?.text ?? "")) {
      leaks.push(`${where(file, output)}: output ${name} carries a connection string`);
    }
  }
  return leaks;
}
