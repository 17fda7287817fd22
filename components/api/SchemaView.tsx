// A JSON Schema (as the OpenAPI document carries it) shown as a table of fields, nested objects indented.
import type { ReactNode } from "react";

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema => (v && typeof v === "object" ? (v as Schema) : {});
const variants = (s: Schema): Schema[] | undefined => (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined)?.map(asSchema);

/** A one-line type: "string", "integer ≥ 1", "one of a | b", "array of object", "string | null". */
export function typeLabel(schema: unknown): string {
  const s = asSchema(schema);
  if (typeof s.$ref === "string") return s.$ref.split("/").at(-1)!;
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(" | ")}`;
  const vs = variants(s);
  if (vs) return vs.map(typeLabel).join(" | ");
  if (s.type === "array") return `array of ${typeLabel(s.items)}`;
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (typeof s.type === "string") return s.type === "string" && typeof s.format === "string" ? `string (${s.format})` : s.type;
  return "any";
}

function constraints(s: Schema): string[] {
  const out: string[] = [];
  const pairs: [string, string][] = [
    ["minimum", "≥"],
    ["exclusiveMinimum", ">"],
    ["maximum", "≤"],
    ["exclusiveMaximum", "<"],
    ["minLength", "length ≥"],
    ["maxLength", "length ≤"],
    ["minItems", "items ≥"],
    ["maxItems", "items ≤"],
  ];
  for (const [key, label] of pairs) if (typeof s[key] === "number") out.push(`${label} ${String(s[key])}`);
  if (typeof s.pattern === "string") out.push(`matches ${s.pattern}`);
  if ("default" in s) out.push(`default ${JSON.stringify(s.default)}`);
  if (s.additionalProperties === false) out.push("no other fields");
  return out;
}

/** the object schema whose fields a row should list beneath it (an object, or an array of objects) */
function nestedObject(s: Schema): Schema | undefined {
  if (s.type === "object" && s.properties) return s;
  if (s.type === "array" && asSchema(s.items).properties) return asSchema(s.items);
  return undefined;
}

function Rows({ schema, depth }: { schema: Schema; depth: number }): ReactNode {
  const properties = asSchema(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, raw]) => {
    const s = asSchema(raw);
    const nested = nestedObject(s);
    const notes = [typeof s.description === "string" ? s.description : null, ...constraints(s)].filter(Boolean).join("; ");
    return (
      <FieldRow key={name} name={name} depth={depth} type={typeLabel(s)} required={required.has(name)} notes={notes}>
        {nested ? <Rows schema={nested} depth={depth + 1} /> : null}
      </FieldRow>
    );
  });
}

function FieldRow({
  name,
  depth,
  type,
  required,
  notes,
  children,
}: {
  name: string;
  depth: number;
  type: string;
  required: boolean;
  notes: string;
  children: ReactNode;
}) {
  return (
    <>
      <tr>
        <td style={{ paddingLeft: 8 + depth * 18 }}>
          <code>{name}</code>
        </td>
        <td>{type}</td>
        <td>{required ? "required" : "optional"}</td>
        <td className="muted">{notes}</td>
      </tr>
      {children}
    </>
  );
}

export function SchemaView({ schema, caption }: { schema: unknown; caption: string }) {
  const s = asSchema(schema);
  const objects = s.type === "object" ? [s] : (variants(s) ?? []).filter((v) => v.type === "object" || v.type === "array");
  if (!objects.some((o) => o.properties || nestedObject(o))) {
    return (
      <p>
        {caption}: <code>{typeLabel(s)}</code>
      </p>
    );
  }
  return (
    <>
      {objects.map((o, i) => {
        const body = o.properties ? o : nestedObject(o);
        return (
          // focusable: a narrow screen scrolls the table sideways, and a keyboard must reach it
          <div className="table-wrap" key={i} tabIndex={0} role="region" aria-label={objects.length > 1 ? `${caption}, form ${i + 1}` : caption}>
            <table className="data">
              <caption>
                {caption}
                {objects.length > 1 ? ` (form ${i + 1} of ${objects.length}: ${typeLabel(o)})` : ""}
              </caption>
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Type</th>
                  <th>Required</th>
                  <th>Notes</th>
                </tr>
              </thead>
              <tbody>{body ? <Rows schema={body} depth={0} /> : null}</tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}
