import { useEffect, useState } from 'react';
import { type Group, listGroups } from './api';
import { useCan } from './session';

let cached: Promise<Group[]> | null = null;

/**
 * The assignment groups with their members, for group and person pickers; read once per
 * page load and shared. null while loading, or when the user may not list groups (then
 * pickers fall back to typing a name).
 */
export function useGroups(): Group[] | null {
  const canList = useCan()('identity.read');
  const [groups, setGroups] = useState<Group[] | null>(null);
  useEffect(() => {
    if (!canList) return;
    let live = true;
    cached ??= listGroups().then((page) => page.items);
    cached.then(
      (items) => live && setGroups(items),
      () => {
        cached = null;
      },
    );
    return () => {
      live = false;
    };
  }, [canList]);
  return groups;
}
