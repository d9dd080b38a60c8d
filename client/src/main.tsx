import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { loadPanelFont } from './fonts.ts';
import { I18nProvider } from './i18n/I18n.tsx';
import './styles.css';

void loadPanelFont();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
