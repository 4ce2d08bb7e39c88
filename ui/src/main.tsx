import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadSession } from './session';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
// Who is signed in decides what the app shows first; ask once, before the first render.
void loadSession();
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
