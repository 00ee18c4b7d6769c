// GraphiQL, served from this origin: a page of its own (graphiql.html) so
// its editor never weighs on the admin UI's bundle, and no script comes
// from a CDN (the page's policy is `script-src 'self'`).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './page.css';
import { fetcher } from './fetcher';

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} />
  </StrictMode>,
);
