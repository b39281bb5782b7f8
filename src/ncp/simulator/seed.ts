import type { CommitAuthor } from './git-repos.ts';
import type { BuildProject, DeployScenario } from './state.ts';

/** The parts of the simulator the demo seeding drives (NcpSimulator extends it). */
export interface DemoTarget {
  /** `127.0.0.1:<port>`, the NCR host to store in integrations (served over http). */
  readonly registryHost: string;
  addBuildProject(p: BuildProject): void;
  addScenario(s: DeployScenario): void;
  /** A repository of SourceCommit project `projectId` (default 1011), served at /git/{projectId}/{name}.git. */
  createRepo(name: string, branch?: string, projectId?: string): Promise<void>;
  commit(
    repo: string,
    branch: string,
    files: Readonly<Record<string, string>>,
    message: string,
    author?: CommitAuthor,
  ): Promise<string>;
  pushImage(image: string, tag: string): void;
  /** Sets what runs, as if an earlier deploy had put it there (seeding). */
  setRunning(deployProjectId: string, image: string): void;
}

export interface DemoCommit {
  readonly sha: string;
  readonly message: string;
  readonly time: Date;
  /** The 7-character tag its image has (or would have) in NCR. */
  readonly imageTag: string;
  readonly hasImage: boolean;
}

/** What `seedDemo` made, for the database seeding to insert the integration and past deployments. */
export interface DemoSeed {
  readonly owner: string;
  readonly repo: string;
  readonly scProjectId: string;
  readonly scRepoName: string;
  readonly buildProjectId: string;
  readonly deployProjectId: string;
  readonly deployStageId: string;
  readonly deployScenarioId: string;
  readonly registryHost: string;
  readonly imageName: string;
  readonly defaultBranch: string;
  readonly manifestPath: string;
  /** Application commits, newest first; the newest is what runs now. */
  readonly commits: readonly DemoCommit[];
  /** The head of the branch: the bot's commit pointing the manifest at the newest image. */
  readonly headSha: string;
  /** The one commit whose image is not in NCR, so rolling back to it needs a rebuild. */
  readonly missingImageSha: string;
}

const manifest = (image: string) => `# Kubernetes deployment for test01, applied by SourceDeploy.
# The image tag is the 7-character commit SHA; klepaas-bot updates it on deploy and rollback.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: test01
  labels:
    app: test01
spec:
  replicas: 2
  selector:
    matchLabels:
      app: test01
  template:
    metadata:
      labels:
        app: test01
    spec:
      containers:
        - name: app
          image: ${image}
          ports:
            - containerPort: 8000
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8000
---
apiVersion: v1
kind: Service
metadata:
  name: test01
spec:
  selector:
    app: test01
  ports:
    - port: 80
      targetPort: 8000
`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Demo commits with their age at the anchor time, oldest first. */
const history: readonly { message: string; ageMs: number; files: Record<string, string> }[] = [
  {
    message: 'Initial commit: FastAPI app skeleton',
    ageMs: 19 * DAY + 7 * HOUR,
    files: {
      'app/main.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"service": "test01"}\n',
      'requirements.txt': 'fastapi==0.115.0\nuvicorn==0.30.6\n',
      Dockerfile:
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n',
      'README.md': '# test01\n\nDemo service deployed with K-Le-PaaS.\n',
    },
  },
  {
    message: 'Add /healthz endpoint for the readiness probe',
    ageMs: 17 * DAY + 2 * HOUR,
    files: {
      'app/main.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\ndef root():\n    return {"service": "test01"}\n\n\n@app.get("/healthz")\ndef healthz():\n    return {"ok": True}\n',
    },
  },
  {
    message: 'Fix: return 400 on empty payload in POST /items',
    ageMs: 12 * DAY + 5 * HOUR,
    files: {
      'app/items.py':
        'def validate(payload):\n    if not payload:\n        raise ValueError("empty payload")\n    return payload\n',
    },
  },
  {
    message: 'Add Redis cache for item lookups',
    ageMs: 5 * DAY + 3 * HOUR,
    files: {
      'app/cache.py': 'import redis\n\nclient = redis.Redis(host="redis", port=6379)\n',
      'requirements.txt': 'fastapi==0.115.0\nuvicorn==0.30.6\nredis==5.0.8\n',
    },
  },
  {
    message: 'Bump version to 1.3.0 and update README',
    ageMs: 2 * HOUR + 40 * MINUTE,
    files: {
      'README.md': '# test01\n\nDemo service deployed with K-Le-PaaS.\n\nVersion 1.3.0\n',
      VERSION: '1.3.0\n',
    },
  },
];

/** The anchor a history was seeded with, recovered from the time of its oldest commit. */
export const demoAnchorFromOldest = (oldestCommitTime: Date): Date =>
  new Date(oldestCommitTime.getTime() + (history[0]?.ageMs ?? 0));

export interface SeedDemoOptions {
  /**
   * When the demo history ends. Commit times derive from it and the application commits do not mention the
   * registry's port, so the same anchor gives the same commit SHAs at every start: a database seeded
   * earlier still matches a freshly started simulator.
   */
  readonly anchor?: Date;
}

/** Creates the demo integration `K-Le-PaaS/test01` in the simulator: projects, repository, images. */
export async function seedDemo(sim: DemoTarget, opts: SeedDemoOptions = {}): Promise<DemoSeed> {
  const anchor = (opts.anchor ?? new Date()).getTime();
  const ids = {
    buildProjectId: '20011',
    deployProjectId: '3011',
    deployStageId: '4011',
    deployScenarioId: '5011',
  };
  const repoName = 'test01';
  const branch = 'main';
  const imageName = 'k-le-paas-test01';
  const manifestPath = 'k8s/deployment.yaml';
  const imageRepo = `${sim.registryHost}/${imageName}`;
  await sim.createRepo(repoName, branch);

  let files: Record<string, string> = { [manifestPath]: manifest(`${imageName}:latest`) };
  const made: { sha: string; message: string; time: Date }[] = [];
  for (const c of history) {
    files = { ...files, ...c.files };
    const time = new Date(Math.floor((anchor - c.ageMs) / 1000) * 1000);
    const author = {
      name: 'Kim Minji',
      email: 'minji.kim@klepaas.example',
      timestamp: time.getTime() / 1000,
    };
    made.push({
      sha: await sim.commit(repoName, branch, files, c.message, author),
      message: c.message,
      time,
    });
  }
  const newest = made[made.length - 1];
  const missing = made[made.length - 3];
  if (!newest || !missing) throw new Error('demo history too short');
  const newestImage = `${imageRepo}:${newest.sha.slice(0, 7)}`;
  files = { ...files, [manifestPath]: manifest(newestImage) };
  const botTime = new Date(newest.time.getTime() + 5 * 60_000);
  const headSha = await sim.commit(repoName, branch, files, `Deploy ${imageName}:${newest.sha.slice(0, 7)}`, {
    name: 'klepaas-bot',
    email: 'klepaas-bot@users.noreply.klepaas',
    timestamp: botTime.getTime() / 1000,
  });

  for (const c of made) if (c !== missing) sim.pushImage(imageName, c.sha.slice(0, 7));
  sim.addBuildProject({
    id: ids.buildProjectId,
    name: 'k-le-paas-test01-build',
    repoName,
    branch,
    image: imageName,
  });
  sim.addScenario({
    projectId: ids.deployProjectId,
    stageId: ids.deployStageId,
    scenarioId: ids.deployScenarioId,
    name: 'k-le-paas-test01-deploy',
    repoName,
    branch,
    manifestPath,
  });
  sim.setRunning(ids.deployProjectId, newestImage);

  return {
    owner: 'K-Le-PaaS',
    repo: 'test01',
    scProjectId: '1011',
    scRepoName: repoName,
    ...ids,
    registryHost: sim.registryHost,
    imageName,
    defaultBranch: branch,
    manifestPath,
    commits: made.map((c) => ({ ...c, imageTag: c.sha.slice(0, 7), hasImage: c !== missing })).reverse(),
    headSha,
    missingImageSha: missing.sha,
  };
}
