import { isMap, isScalar, isSeq, parseAllDocuments, type YAMLMap } from 'yaml';

/**
 * Image references are `[registry[:port]/]path[:tag][@digest]`. A `:` after the last `/` starts the tag;
 * one before it belongs to the registry port.
 */
export function splitImageRef(ref: string): {
  repository: string;
  tag: string | null;
  digest: string | null;
} {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    return { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
  }
  return { repository: name, tag: null, digest };
}

// Where workload kinds keep their pod template's containers.
const containerPaths: readonly (readonly string[])[] = [
  ['spec', 'template', 'spec', 'containers'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'],
  ['spec', 'containers'],
];

function containersOf(text: string) {
  const docs = parseAllDocuments(text);
  const containers: YAMLMap[] = [];
  for (const doc of docs) {
    if (!('contents' in doc)) continue;
    if (doc.errors.length > 0) throw new Error(`manifest is not valid YAML: ${doc.errors[0]?.message}`);
    for (const path of containerPaths) {
      const seq = doc.getIn(path, true);
      if (!isSeq(seq)) continue;
      for (const item of seq.items) if (isMap(item)) containers.push(item);
      break;
    }
  }
  return { docs, containers };
}

function pick(containers: readonly YAMLMap[], repository: string): YAMLMap | undefined {
  const same = containers.find((c) => {
    const image = c.get('image');
    return typeof image === 'string' && splitImageRef(image).repository === repository;
  });
  return same ?? containers[0];
}

/** The image the manifest runs: the container from `repository` when there is one, else the first. */
export function readManifestImage(text: string, repository?: string): string | null {
  const { containers } = containersOf(text);
  const c = repository ? pick(containers, repository) : containers[0];
  const image = c?.get('image');
  return typeof image === 'string' ? image : null;
}

export interface ManifestEdit {
  readonly text: string;
  readonly changed: boolean;
  readonly previous: string | null;
}

/**
 * Points the manifest at `imageRef`, editing the YAML in place so comments, key order and the other
 * documents stay as the owner wrote them. Picks the container whose image repository matches, else the
 * first container of the first workload.
 */
export function setManifestImageText(text: string, imageRef: string): ManifestEdit {
  const { docs, containers } = containersOf(text);
  const target = pick(containers, splitImageRef(imageRef).repository);
  if (!target) throw new Error('manifest has no container to set the image of');
  const node = target.get('image', true);
  const previous = isScalar(node) && typeof node.value === 'string' ? node.value : null;
  if (previous === imageRef) return { text, changed: false, previous };
  if (isScalar(node)) node.value = imageRef;
  else target.set('image', imageRef);
  return { text: docs.map(String).join(''), changed: true, previous };
}
