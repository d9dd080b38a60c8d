import { sectorProblems } from '../../../../core/cameras/index.ts';
import { CAMERA_STATUSES, type CameraStatus } from '../../../../core/vocabulary.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import type { CameraView } from './security-scene.ts';

/** The i18n dictionary's lookup (`t` of useI18n, or MESSAGES[lang] through format). */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export interface CameraFormValues {
  directionDeg: number | null;
  fovDeg: number;
  rangeM: number;
  status: CameraStatus;
}

export interface CameraFormHandlers {
  /** Every valid edit, for the live viewshed. */
  onChange(values: CameraFormValues): void;
  onSave(values: CameraFormValues): void;
  onClose(): void;
}

/**
 * The numeric fields of one camera (direction, FOV, range, status) as a small form in `box`, checked
 * with core's sectorProblems (the server's own messages) before anything is sent.
 */
export function renderCameraForm(
  box: HTMLElement,
  camera: CameraView,
  h: CameraFormHandlers,
  t: Translate,
): void {
  box.replaceChildren();
  const form = document.createElement('form');
  form.dataset.testid = 'camera-form';
  form.style.cssText =
    'display:grid;grid-template-columns:auto 6em;gap:4px 8px;align-items:center;margin-top:4px';
  const field = (label: string, name: string, value: string) => {
    const l = document.createElement('label');
    l.textContent = label;
    const input = document.createElement('input');
    input.name = name;
    input.type = 'number';
    input.step = 'any';
    input.value = value;
    l.htmlFor = input.id = `camera-${name}`;
    form.append(l, input);
    return input;
  };
  const dir = field(
    t('security.direction'),
    'direction_deg',
    camera.directionDeg === null ? '' : String(camera.directionDeg),
  );
  const fov = field(t('security.fov'), 'fov_deg', String(camera.fovDeg));
  const range = field(t('security.range'), 'range_m', String(camera.rangeM));
  const statusLabel = document.createElement('label');
  statusLabel.textContent = t('security.status');
  const status = document.createElement('select');
  status.name = 'status';
  for (const s of CAMERA_STATUSES)
    status.add(new Option(t(`enum.status.${s}`), s, false, s === camera.status));
  form.append(statusLabel, status);
  const message = document.createElement('div');
  message.dataset.testid = 'camera-form-message';
  message.style.cssText = 'grid-column:1/3;color:#c00';
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = t('security.save');
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = t('security.close');
  close.onclick = () => h.onClose();
  form.append(message, save, close);

  const read = (): CameraFormValues | null => {
    const values: CameraFormValues = {
      directionDeg: dir.value.trim() === '' ? null : Number(dir.value),
      fovDeg: Number(fov.value),
      rangeM: Number(range.value),
      status: status.value as CameraStatus,
    };
    const problems = sectorProblems({
      direction_deg: values.directionDeg,
      fov_deg: values.fovDeg,
      range_m: values.rangeM,
    });
    message.textContent = problems.map((p) => p.message).join('; ');
    save.disabled = problems.length > 0;
    return problems.length ? null : values;
  };
  form.oninput = () => {
    const v = read();
    if (v) h.onChange(v);
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    const v = read();
    if (v) h.onSave(v);
  };
  const title = document.createElement('div');
  title.textContent = t('security.cameraTitle', { id: camera.id });
  for (const el of form.querySelectorAll<HTMLElement>('input,select,button')) el.style.font = 'inherit';
  box.append(title, form);
  box.style.display = '';
}
