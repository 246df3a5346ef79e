import { classifyMediaError, fallbackRequest, type MediaProblem } from '../rtc/media-errors.js';

/** Camera settings sized for a mesh: every peer uploads one copy per other participant. */
export const CAMERA_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 960 },
  height: { ideal: 540 },
  frameRate: { ideal: 24, max: 30 },
};

export const MICROPHONE_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export function cameraConstraints(deviceId: string): MediaTrackConstraints {
  return deviceId ? { ...CAMERA_CONSTRAINTS, deviceId: { exact: deviceId } } : CAMERA_CONSTRAINTS;
}

export function microphoneConstraints(deviceId: string): MediaTrackConstraints {
  return deviceId ? { ...MICROPHONE_CONSTRAINTS, deviceId: { exact: deviceId } } : MICROPHONE_CONSTRAINTS;
}

export interface AcquiredMedia {
  stream: MediaStream | null;
  /** Why a requested kind is missing (the first problem met), or null when everything came. */
  problem: MediaProblem | null;
}

/**
 * Opens camera and microphone, degrading to the microphone alone when the camera is missing or
 * busy, so a user without a webcam can still talk.
 */
export async function acquireMedia(cameraId: string, microphoneId: string): Promise<AcquiredMedia> {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: window.isSecureContext ? 'unsupported' : 'insecure' };
  let request = { audio: true, video: true };
  let firstProblem: MediaProblem | null = null;
  // At most two attempts: both kinds, then the microphone alone.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: request.audio ? microphoneConstraints(microphoneId) : false,
        video: request.video ? cameraConstraints(cameraId) : false,
      });
      return { stream, problem: firstProblem };
    } catch (error) {
      const problem = classifyMediaError(error);
      firstProblem ??= problem;
      const next = fallbackRequest(request, problem);
      if (!next) break;
      request = next;
    }
  }
  return { stream: null, problem: firstProblem };
}

/** One new track of a kind from a chosen device, to swap into a running stream. */
export async function openTrack(kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia(
    kind === 'audio' ? { audio: microphoneConstraints(deviceId) } : { video: cameraConstraints(deviceId) },
  );
  const track = stream.getTracks()[0];
  if (!track) throw new DOMException('No track', 'NotFoundError');
  return track;
}

export async function listDevices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[]; devices: MediaDeviceInfo[] }> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    devices,
    cameras: devices.filter((d) => d.kind === 'videoinput' && d.deviceId !== ''),
    microphones: devices.filter((d) => d.kind === 'audioinput' && d.deviceId !== ''),
  };
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
