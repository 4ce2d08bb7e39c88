import { useEffect } from 'react';
import { PageHeader } from '../components';
import { Link, useLocation } from '../router';

export function NotFound() {
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = 'Not found · FlowDesk';
  }, []);
  return (
    <div className="page">
      <PageHeader title="Page not found" subtitle={<>Nothing lives at <code>{pathname}</code>.</>} />
      <div className="card empty">
        <p>
          Go back to <Link to="/">your start page</Link>.
        </p>
      </div>
    </div>
  );
}
