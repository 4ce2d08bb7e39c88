import type { CmdbClass } from '../../api';

/** The class hierarchy as a tree of buttons; abstract classes select their whole subtree. */
export function ClassTree({ classes, selected, onSelect }: { classes: CmdbClass[]; selected: string; onSelect: (name: string) => void }) {
  const children = new Map<string | null, CmdbClass[]>();
  for (const cls of classes) children.set(cls.parent, [...(children.get(cls.parent) ?? []), cls]);
  const branch = (parent: string | null) => {
    const kids = children.get(parent) ?? [];
    if (!kids.length) return null;
    return (
      <ul className="class-tree" role={parent === null ? 'tree' : 'group'} aria-label={parent === null ? 'CI classes' : undefined}>
        {kids.map((cls) => (
          <li key={cls.name} role="treeitem" aria-selected={cls.name === selected} aria-expanded={children.has(cls.name) ? true : undefined}>
            <button type="button" className={`class-node${cls.name === selected ? ' class-node-selected' : ''}`} onClick={() => onSelect(cls.name)} data-class={cls.name} title={cls.description}>
              {cls.label}
              {cls.abstract && <span className="muted small"> (all)</span>}
            </button>
            {branch(cls.name)}
          </li>
        ))}
      </ul>
    );
  };
  return <nav aria-label="Classes">{branch(null)}</nav>;
}
