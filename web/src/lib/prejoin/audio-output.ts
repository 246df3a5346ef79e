/** An element whose sound can be sent to a chosen output: HTMLMediaElement where setSinkId exists. */
export interface AudioSink {
  readonly sinkId?: string;
  setSinkId?: (sinkId: string) => Promise<void>;
}

/** One entry of the output picker; `deviceId` '' is the system's default output. */
export interface AudioOutputChoice {
  deviceId: string;
  label: string;
}

/**
 * Whether this browser can play sound on a chosen output (`HTMLMediaElement.setSinkId`: Chromium,
 * Firefox 116+; not Safari). Without it the picker says so instead of offering a dead control.
 */
export function canChooseAudioOutput(prototype: object | undefined = globalThis.HTMLMediaElement?.prototype): boolean {
  return prototype !== undefined && 'setSinkId' in prototype;
}

/**
 * The picker's entries: the system default first (id ''), then every named output. Chromium lists
 * the default again as a device with the id `default`; that is the same output, so it is dropped.
 */
export function audioOutputChoices(devices: readonly MediaDeviceInfo[]): AudioOutputChoice[] {
  const outputs = devices.filter((device) => device.kind === 'audiooutput' && device.deviceId !== '' && device.deviceId !== 'default');
  return [{ deviceId: '', label: 'System default' }, ...outputs.map((device, index) => ({ deviceId: device.deviceId, label: device.label || `Speaker ${index + 1}` }))];
}

/** A remembered output that is no longer plugged in falls back to the default. */
export function availableOutput(choices: readonly AudioOutputChoice[], remembered: string): string {
  return choices.some((choice) => choice.deviceId === remembered) ? remembered : '';
}

/**
 * Sends an element's sound to an output ('' for the default). An output that went away between
 * choosing and playing falls back to the default rather than leaving the element silent.
 */
export async function routeAudio(element: AudioSink, deviceId: string): Promise<void> {
  if (typeof element.setSinkId !== 'function' || element.sinkId === deviceId) return;
  try {
    await element.setSinkId(deviceId);
  } catch {
    if (deviceId !== '') await element.setSinkId('').catch(() => undefined);
  }
}
