import { useEffect, useState } from 'react';
import { type CatalogItem, type CatalogList, listCatalogItems, searchItems } from '../../api/catalog';
import { PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { Link, navigate, useLocation } from '../../router';
import { useLoad } from '../../useLoad';
import '../../portal.css';
import { needsApproval } from '../../../../domain/catalogItem';

/** The catalog URL for a search and a category; the URL holds both, so back and reload keep them. */
function catalogPath(q: string, category: string): string {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  if (category) query.set('category', category);
  const search = query.toString();
  return `/portal/catalog${search ? `?${search}` : ''}`;
}

/**
 * The requester's service catalog: every item, narrowed by category and search words.
 * The list loads once; searching runs here with the server's own ranking (searchItems),
 * so results follow each keystroke without a request per key.
 */
export function CatalogPage() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const category = search.get('category') ?? '';
  const [catalog, setCatalog] = useState<CatalogList | null>(null);
  const { reload, loadError } = useLoad(async (signal) => setCatalog(await listCatalogItems({ signal })));

  useEffect(() => {
    document.title = 'Service catalog · FlowDesk';
  }, []);

  const shown = catalog ? searchItems(catalog.items, { q, category }) : [];
  const filtered = q.trim() !== '' || category !== '';

  return (
    <div className="page portal">
      <PageHeader title="Service catalog" subtitle="Order hardware, software and access. Items that need approval go to your approver first; you can follow every request." />

      <div className="catalog-toolbar">
        <input
          type="search"
          className="search catalog-search"
          value={q}
          onChange={(e) => navigate(catalogPath(e.target.value, category), { replace: true })}
          placeholder="Search, e.g. laptop, VPN, password"
          aria-label="Search the catalog"
          data-testid="catalog-search"
        />
        {catalog && (
          <nav className="filters" aria-label="Categories">
            <Link to={catalogPath(q, '')} className="filter" aria-current={category === '' ? 'page' : undefined} data-testid="category-all">
              All
            </Link>
            {catalog.categories.map((name) => (
              <Link key={name} to={catalogPath(q, name)} className="filter" aria-current={category.toLowerCase() === name.toLowerCase() ? 'page' : undefined} data-testid="category" data-category={name}>
                {name}
              </Link>
            ))}
          </nav>
        )}
      </div>

      {loadError && <ProblemView problem={loadError} onRetry={() => void reload()} />}
      {!catalog && !loadError && <Spinner label="Loading the catalog…" />}
      {catalog && (
        <>
          <p className="muted small" aria-live="polite" data-testid="catalog-count">
            {resultLine(shown.length, q, category)}
          </p>
          {shown.length === 0 ? (
            <div className="card empty">
              <p className="empty-title">Nothing matches</p>
              <p className="muted">Try other words, or browse all categories. For anything not listed, report it to the service desk.</p>
              {filtered && (
                <Link to={catalogPath('', '')} className="btn btn-secondary">
                  Show the whole catalog
                </Link>
              )}
            </div>
          ) : (
            <ul className="catalog-grid" aria-label="Catalog items">
              {shown.map((item) => (
                <CatalogCard key={item.id} item={item} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function resultLine(count: number, q: string, category: string): string {
  const items = `${count} item${count === 1 ? '' : 's'}`;
  const where = category ? ` in ${category}` : '';
  return q.trim() ? `${items}${where} matching “${q.trim()}”` : `${items}${where}`;
}

function CatalogCard({ item }: { item: CatalogItem }) {
  return (
    <li className="catalog-card" data-testid="catalog-item" data-id={item.id}>
      <div className="catalog-card-head">
        <span className="catalog-monogram" aria-hidden="true">
          {item.name.slice(0, 1)}
        </span>
        <Tag>{item.category}</Tag>
      </div>
      <h2 className="catalog-card-title">
        {/* The link covers the whole card (see portal.css), so the card is one click target. */}
        <Link to={`/portal/catalog/${item.id}`} className="catalog-card-link">
          {item.name}
        </Link>
      </h2>
      <p className="catalog-card-text">{item.description}</p>
      <p className="catalog-card-foot small">{needsApproval(item) ? <Tag tone="amber">Needs approval</Tag> : <Tag tone="green">No approval needed</Tag>}</p>
    </li>
  );
}
