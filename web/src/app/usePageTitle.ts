import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets the document title: "<page> · Covalue". */
export function usePageTitle(title: string | undefined) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = title ? `${title} · ${t('app.name')}` : t('app.title');
  }, [title, t]);
}
