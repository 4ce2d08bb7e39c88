import { useEffect, useState } from 'react';
import { type AttributeDefinition, queryCis } from '../../api';

/** Form text of a stored value: lists joined with "; ". */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join('; ') : String(value);
}

/** The form's text as the API takes it: numbers as numbers, lists split on ";", booleans as booleans; empty is undefined. */
export function valueOf(text: string, spec: AttributeDefinition): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const one = (part: string): unknown => (spec.type === 'integer' || spec.type === 'number' ? (Number.isNaN(Number(part)) ? part : Number(part)) : spec.type === 'boolean' ? part === 'true' : part);
  return spec.list ? trimmed.split(';').map((p) => p.trim()).filter(Boolean).map(one) : one(trimmed);
}

/** References: a search over CIs of the referenced class, offered as a datalist of ids with names. */
function useReferenceOptions(cls: string | undefined): Array<{ id: string; name: string }> {
  const [options, setOptions] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    if (!cls) return;
    const controller = new AbortController();
    queryCis({ class: cls }, undefined, controller.signal).then(
      (page) => setOptions(page.items.map((ci) => ({ id: ci.id, name: String(ci.attributes.name ?? ci.id) }))),
      () => undefined,
    );
    return () => controller.abort();
  }, [cls]);
  return options;
}

export function AttributeInput({ name, spec, value, onChange, describedBy }: { name: string; spec: AttributeDefinition; value: string; onChange: (text: string) => void; describedBy: string }) {
  const options = useReferenceOptions(spec.type === 'reference' ? spec.class : undefined);
  const id = `attr-${name}`;
  const common = { id, name, 'aria-describedby': describedBy, 'aria-required': spec.required || undefined };
  if (spec.type === 'enum' && !spec.list) {
    return (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {spec.values?.map((v) => (
          <option key={v} value={v}>{v}</option>
        ))}
      </select>
    );
  }
  if (spec.type === 'boolean' && !spec.list) {
    return (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    );
  }
  const type = spec.list ? 'text' : spec.type === 'integer' || spec.type === 'number' ? 'number' : spec.type === 'date' ? 'date' : spec.type === 'url' ? 'url' : 'text';
  return (
    <>
      <input {...common} type={type} step={spec.type === 'number' ? 'any' : undefined} value={value} onChange={(e) => onChange(e.target.value)} list={options.length ? `${id}-options` : undefined} placeholder={spec.list ? 'values separated by ;' : spec.type === 'reference' ? `a ${spec.class} CI id` : undefined} />
      {options.length > 0 && (
        <datalist id={`${id}-options`}>
          {options.map((o) => (
            <option key={o.id} value={o.id}>{o.name}</option>
          ))}
        </datalist>
      )}
    </>
  );
}
