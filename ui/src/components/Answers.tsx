import { useEffect, useState } from 'react';
import { fieldOrder, getCatalogItem } from '../api/catalog';

/** An item's form fields in order, with their titles. */
type Labels = Array<[name: string, title: string]>;
const labelsByItem = new Map<string, Promise<Labels>>();

/** Read once per item; an item gone from the catalog has no labels, and its answers show by name. */
function labelsOf(item: string): Promise<Labels> {
  let found = labelsByItem.get(item);
  if (!found) {
    found = getCatalogItem(item).then(
      ({ form }) => fieldOrder(form).map((name): [string, string] => [name, form.properties[name]?.title ?? name]),
      () => [],
    );
    labelsByItem.set(item, found);
  }
  return found;
}

const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function show(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** A request's answers to its item's form, labelled with the form's field titles. */
export function Answers({ item, answers }: { item: string; answers: Record<string, string | number | boolean> }) {
  const [labels, setLabels] = useState<Labels>([]);
  useEffect(() => {
    let live = true;
    void labelsOf(item).then((found) => live && setLabels(found));
    return () => {
      live = false;
    };
  }, [item]);
  const known = labels.filter(([name]) => Object.hasOwn(answers, name)).map(([name, title]) => [name, title, answers[name]!] as const);
  const others = Object.entries(answers).filter(([name]) => !labels.some(([n]) => n === name)).map(([name, value]) => [name, humanize(name), value] as const);
  const entries = [...known, ...others];
  if (entries.length === 0) return <p className="muted">No answers.</p>;
  return (
    <dl className="answers" data-testid="answers">
      {entries.map(([name, title, value]) => (
        <div key={name} className="answer">
          <dt>{title}</dt>
          <dd>{show(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
