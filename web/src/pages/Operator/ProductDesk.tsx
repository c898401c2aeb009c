import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api';
import type { Need } from '../../api/types';
import { useApi } from '../../app/useApi';
import { AgreementBadge } from '../../components/AgreementBadge';
import { Async } from '../../components/Async';
import { FormAlert, TextArea, TextField, useSubmit } from '../../components/Form';

interface SpecRow {
  key: number;
  name: string;
  value: string;
}
interface SkuRow {
  key: number;
  code: string;
  name: string;
  attributes: string;
}

/** The server's wording for product problems, in the UI's language where known. */
function productMessage(t: TFunction, message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/given twice|used twice/.test(message)) return t('productForm.errors.twice');
  if (/letters, digits, dot, dash and underscore/.test(message)) return t('productForm.errors.code');
  if (/url|https/i.test(message)) return t('pollForm.errors.https');
  return message;
}

/** `容量=375ml, 颜色=红` → `{ 容量: '375ml', 颜色: '红' }`; null when a part has no `=`. */
function parseAttributes(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,，;；]/)) {
    if (!part.trim()) continue;
    const at = part.indexOf('=');
    if (at <= 0) return null;
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

/** A need's products, and the form to make one from its chosen solution and chain group. */
export function ProductDesk({ need }: { need: Need }) {
  const { t } = useTranslation();
  const products = useApi(() => api.products.list({ needId: need.id, limit: 20 }).then((p) => p.items), [need.id]);
  return (
    <section aria-labelledby="desk-products">
      <h3 id="desk-products">{t('product.title')}</h3>
      <Async state={products.state} reload={products.reload}>
        {(list) =>
          list.length > 0 ? (
            <ul className="plain-list">
              {list.map((p) => (
                <li key={p.id}>
                  <Link to={`/products/${p.id}`}>{p.name}</Link> <AgreementBadge agreement={p.agreement} />
                </li>
              ))}
            </ul>
          ) : (
            <details className="create-community">
              <summary>{t('productForm.title')}</summary>
              <CreateProduct need={need} />
            </details>
          )
        }
      </Async>
    </section>
  );
}

function CreateProduct({ need }: { need: Need }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [images, setImages] = useState('');
  const [specs, setSpecs] = useState<SpecRow[]>([]);
  const [skus, setSkus] = useState<SkuRow[]>([{ key: 0, code: '', name: '', attributes: '' }]);
  const [nextKey, setNextKey] = useState(1);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const err = (path: string) => problems[path] ?? productMessage(t, submit.fieldError(path));
  const newKey = () => {
    setNextKey((k) => k + 1);
    return nextKey;
  };

  async function create(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t('fieldErrors.required');
    const urls = images
      .split('\n')
      .map((u) => u.trim())
      .filter(Boolean);
    urls.forEach((u, i) => {
      if (!/^https:\/\/\S+$/.test(u)) found.images ??= t('productForm.errors.imageLine', { line: i + 1 });
    });
    if (urls.length > 10) found.images = t('productForm.errors.tenImages');
    specs.forEach((s, i) => {
      if (!s.name.trim()) found[`specs.${i}.key`] = t('fieldErrors.required');
      if (!s.value.trim()) found[`specs.${i}.value`] = t('fieldErrors.required');
    });
    const parsed = skus.map((s, i) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s.code.trim())) {
        found[`skus.${i}.code`] = s.code.trim() ? t('productForm.errors.code') : t('fieldErrors.required');
      }
      if (!s.name.trim()) found[`skus.${i}.name`] = t('fieldErrors.required');
      const attributes = parseAttributes(s.attributes);
      if (!attributes) found[`skus.${i}.attributes`] = t('productForm.errors.attributes');
      return { code: s.code.trim(), name: s.name.trim(), attributes: attributes ?? {} };
    });
    setProblems(found);
    if (Object.keys(found).length) {
      submit.setError(t('errors.validation'));
      return;
    }
    const product = await submit.run(() =>
      api.products.create({
        needId: need.id,
        name: name.trim(),
        description: description.trim(),
        images: urls,
        specs: specs.map((s) => ({ key: s.name.trim(), value: s.value.trim() })),
        skus: parsed,
      }),
    );
    if (product) navigate(`/products/${product.id}`);
  }

  return (
    <form className="form create-product" onSubmit={create} noValidate>
      <p className="hint">{t('productForm.hint')}</p>
      <TextField
        label={t('productForm.name')}
        maxLength={200}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={err('name')}
      />
      <TextArea
        label={t('productForm.description')}
        rows={3}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={err('description')}
      />
      <TextArea
        label={t('productForm.images')}
        hint={t('productForm.imagesHint')}
        rows={2}
        value={images}
        onChange={(e) => setImages(e.target.value)}
        error={err('images')}
      />
      <fieldset>
        <legend>{t('productForm.specs')}</legend>
        <p className="hint">{t('productForm.specsHint')}</p>
        <ol className="share-rows">
          {specs.map((s, i) => (
            <li key={s.key} className="option-row">
              <TextField
                label={t('productForm.specKeyN', { index: i + 1 })}
                value={s.name}
                onChange={(e) => setSpecs((old) => old.map((r) => (r.key === s.key ? { ...r, name: e.target.value } : r)))}
                error={err(`specs.${i}.key`)}
              />
              <TextField
                label={t('productForm.specValueN', { index: i + 1 })}
                value={s.value}
                onChange={(e) => setSpecs((old) => old.map((r) => (r.key === s.key ? { ...r, value: e.target.value } : r)))}
                error={err(`specs.${i}.value`)}
              />
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={t('productForm.removeSpecN', { index: i + 1 })}
                onClick={() => setSpecs((old) => old.filter((r) => r.key !== s.key))}
              >
                {t('pollForm.removeOption')}
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setSpecs((old) => [...old, { key: newKey(), name: '', value: '' }])}
        >
          {t('productForm.addSpec')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('product.skus')}</legend>
        <ol className="share-rows">
          {skus.map((s, i) => (
            <li key={s.key} className="sku-row">
              <TextField
                label={t('productForm.skuCodeN', { index: i + 1 })}
                value={s.code}
                onChange={(e) => setSkus((old) => old.map((r) => (r.key === s.key ? { ...r, code: e.target.value } : r)))}
                error={err(`skus.${i}.code`)}
              />
              <TextField
                label={t('productForm.skuNameN', { index: i + 1 })}
                value={s.name}
                onChange={(e) => setSkus((old) => old.map((r) => (r.key === s.key ? { ...r, name: e.target.value } : r)))}
                error={err(`skus.${i}.name`)}
              />
              <TextField
                label={t('productForm.skuAttributesN', { index: i + 1 })}
                hint={i === 0 ? t('productForm.attributesHint') : undefined}
                value={s.attributes}
                onChange={(e) => setSkus((old) => old.map((r) => (r.key === s.key ? { ...r, attributes: e.target.value } : r)))}
                error={err(`skus.${i}.attributes`)}
              />
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={t('productForm.removeSkuN', { index: i + 1 })}
                onClick={() => setSkus((old) => old.filter((r) => r.key !== s.key))}
              >
                {t('pollForm.removeOption')}
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setSkus((old) => [...old, { key: newKey(), code: '', name: '', attributes: '' }])}
        >
          {t('productForm.addSku')}
        </button>
      </fieldset>
      <FormAlert error={submit.error} />
      <p className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('productForm.submit')}
        </button>
      </p>
    </form>
  );
}
