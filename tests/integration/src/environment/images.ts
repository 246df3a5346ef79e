/** Container images the Testcontainers environment runs. */
export interface ContainerImages {
  mongo: string;
  redis: string;
}

/** What runs when nothing else is said: the images docker-compose.yml uses by default. */
export const UPSTREAM_IMAGES: ContainerImages = { mongo: 'mongo:7', redis: 'redis:7' };

/** The variable that overrides each image; the same names docker-compose.yml and infra/images use. */
export const IMAGE_VARIABLES: Record<keyof ContainerImages, string> = { mongo: 'MONGO_IMAGE', redis: 'REDIS_IMAGE' };

/**
 * Reads a dotenv-style file such as infra/images/images.env: `NAME=value` lines, `#` comments,
 * optional single or double quotes around the value. Anything else is ignored.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const [, name, rawValue] = match as unknown as [string, string, string];
    let value = rawValue.trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] as string;
    else value = value.replace(/\s+#.*$/, '');
    variables[name] = value;
  }
  return variables;
}

/**
 * Picks each image: an explicit variable in the environment wins, then the project's offline image
 * set (infra/images/images.env, whose images build.sh makes without any registry), then upstream.
 */
export function chooseImages(env: Record<string, string | undefined>, offlineImageSet: Record<string, string> = {}): ContainerImages {
  const pick = (piece: keyof ContainerImages): string => {
    const variable = IMAGE_VARIABLES[piece];
    return env[variable] || offlineImageSet[variable] || UPSTREAM_IMAGES[piece];
  };
  return { mongo: pick('mongo'), redis: pick('redis') };
}

/**
 * The stack's own images, under the names docker-compose.yml builds and tags them with (one set
 * per machine, shared by every compose project): `docker-compose build`, or
 * scripts/docker/build-stack-images.sh on the offline set. They are built from this checkout, never
 * pulled.
 */
export const STACK_IMAGES = {
  auth: 'meshcall/stack-auth:local',
  rooms: 'meshcall/stack-rooms:local',
  signaling: 'meshcall/stack-signaling:local',
  web: 'meshcall/stack-web:local',
  gateway: 'meshcall/stack-gateway:local',
  coturn: 'meshcall/stack-coturn:local',
} as const;

/** Every image the Testcontainers environment runs: the chosen MongoDB-wire server and Redis, and the stack's. */
export function requiredImages(images: ContainerImages): string[] {
  return [images.mongo, images.redis, ...Object.values(STACK_IMAGES)];
}

/** FerretDB speaks the MongoDB wire protocol but is not mongod: no replica set, its own health check. */
export function isFerretDbImage(image: string): boolean {
  return /ferretdb/i.test(image);
}
