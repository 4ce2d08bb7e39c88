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
          Go back to the <Link to="/incidents">incident list</Link>.
        </p>
      </div>
    </div>
  );
}
