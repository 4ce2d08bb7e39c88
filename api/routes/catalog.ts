import { z } from 'zod';
import { type CatalogItem, categoriesOf, searchItems } from '../../domain/catalogItem';
import { NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { catalogItem, catalogItemId, catalogItemList, listCatalogQuery } from '../schemas/catalog';

/** The service catalog, read-only: every signed-in user may browse what they can order. */
export function catalogRoutes({ items }: { items: CatalogItem[] }): AnyRoute[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const categories = categoriesOf(items);

  const list = defineRoute({
    method: 'get',
    path: '/catalog/items',
    operationId: 'listCatalogItems',
    summary: 'Browse and search the service catalog',
    tag: 'catalog',
    permission: 'authenticated',
    query: listCatalogQuery,
    responses: { 200: { description: 'Matching items and all categories', schema: catalogItemList } },
    handler({ query, res }) {
      res.json({ items: searchItems(items, query), categories });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/catalog/items/:id',
    operationId: 'getCatalogItem',
    summary: 'Read one catalog item with its order form',
    tag: 'catalog',
    permission: 'authenticated',
    params: z.strictObject({ id: catalogItemId }),
    responses: { 200: { description: 'The item', schema: catalogItem } },
    handler({ params, res }) {
      const item = byId.get(params.id);
      if (!item) throw new NotFoundError(`there is no catalog item '${params.id}'`);
      res.json(item);
    },
  });

  return [list, get];
}
