// Types of sambung.js, the public API of Sambung. docs/API.md is the prose
// reference.

/** "phone:+6281234567890" or "account:alice". */
export type Address = string;

/** A message's progress: ✓ sent, ✓✓ delivered, blue ✓✓ read. */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** The kind of address a contact was found by. */
export type IdentityKind = 'phone' | 'account';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface OpenOptions {
  /** The relay's origin, e.g. "https://relay.example". Default: location.origin. */
  base?: string;
  /** Shown in the person's device list, at most 64 bytes. Default: e.g. "Chrome on Linux". */
  deviceName?: string;
  /**
   * 'auto' (default): a SharedWorker where the browser has one, else a dedicated Worker
   * holding the Web Lock "sambung-core". 'shared' and 'dedicated' force one of them.
   */
  worker?: 'auto' | 'shared' | 'dedicated';
  /** Defaults for every call of this page: see CallOptions. */
  calls?: CallOptions;
}

/** The signed-in person, as this device knows them. */
export interface Profile {
  personId: string;
  deviceId: number;
  identities: Address[];
}

/** A person found by lookup(). */
export interface Contact {
  personId: string;
  identities: Address[];
  kind: IdentityKind;
  /** Their keys changed since last accepted: sending waits for acceptIdentity(). */
  identityChanged: boolean;
}

export interface Message {
  id: string;
  /** The peer's person id. */
  conversationId: string;
  /** The sender's person id. */
  from: string;
  outgoing: boolean;
  /** Plain text: never interpret it as HTML. */
  text: string;
  /** The sender's clock, Unix milliseconds. */
  sentAt: number;
  /** Sorts a conversation's messages the same way on every device. */
  order: string;
  status: MessageStatus;
  /** Set on a placeholder for a message that could not be decrypted; text is empty. */
  undecryptable?: true;
  /** Set on a file message; text is then its caption ("" for none). */
  file?: FileInfo;
  /** Set on a call in the history; text is empty. */
  call?: CallRecord;
}

/** What a file message shows before and after its download. */
export interface FileInfo {
  /** The sender's file name, made safe to save ("" when none). */
  name: string;
  /** MIME type, "" when unknown. */
  mime: string;
  /** Plaintext bytes. */
  size: number;
  /** Pixels, 0 when unknown. */
  width: number;
  height: number;
  /** Voice notes and other media, 0 when unknown. */
  durationMs: number;
  /** A small JPEG preview of an image. */
  thumbnail?: Uint8Array;
}

/** Progress of a sendFile or downloadFile. Byte counts are of the plaintext. */
export interface TransferEvent {
  id: string;
  direction: 'upload' | 'download';
  state: 'preparing' | 'uploading' | 'downloading' | 'done' | 'failed' | 'cancelled';
  name?: string;
  total: number;
  /** Uploads. */
  to?: string;
  encrypted?: number;
  uploaded?: number;
  /** How often the upload resumed after the connection dropped. */
  resumed?: number;
  blobId?: string;
  messageId?: string;
  /** Downloads. */
  conversationId?: string;
  downloaded?: number;
  decrypted?: number;
  cached?: true;
  /** The error code when state is 'failed' or 'cancelled'. */
  error?: string;
}

export interface Conversation {
  /** The peer's person id. */
  id: string;
  title: string;
  kind: IdentityKind;
  identities: Address[];
  unread: number;
  last: Message | null;
  identityChanged: boolean;
}

export interface SafetyNumber {
  /** 60 digits, to read out or compare. */
  displayable: string;
  /** Bytes for a QR code. */
  scannable: Uint8Array;
}

export interface Device {
  id: number;
  name: string;
  /** Unix milliseconds. */
  created: number;
  /** Unix milliseconds. */
  lastSeen: number;
  /** This device. */
  current: boolean;
}

export interface ReceiptEvent {
  conversationId: string;
  messageIds: string[];
  status: MessageStatus;
}

export interface TypingEvent {
  conversationId: string;
  typing: boolean;
}

export interface StatusEvent {
  state: ConnectionState;
  /** Why it went offline, in words, when it did. */
  error?: string;
}

export interface IdentityChangeEvent {
  conversationId: string;
}

/** The relay's warning that someone may be attacking this person. */
export interface AlertEvent {
  /** 'sign-in-failures': count wrong passwords were tried for the account ID; 'prekeys-drained': others fetched count of this device's one-time prekeys. */
  kind: 'sign-in-failures' | 'prekeys-drained';
  count: number;
}

export interface EventMap {
  message: Message;
  receipt: ReceiptEvent;
  typing: TypingEvent;
  status: StatusEvent;
  identitychange: IdentityChangeEvent;
  /** The whole list, newest first, each time it changed. */
  conversations: Conversation[];
  transfer: TransferEvent;
  /** A call rings: accept() or decline() it. */
  incomingcall: Call;
  alert: AlertEvent;
}

export interface Credentials {
  account: string;
  password: string;
}

// BEGIN generated by internal/jsgen: error codes; do not edit
/** Every SambungError code, by origin: see docs/API.md "Errors". */
export type SambungErrorCode =
  | 'bad_request'
  | 'body_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'internal'
  | 'unavailable'
  | 'rate_limited'
  | 'unauthorized'
  | 'bad_phone'
  | 'bad_account_id'
  | 'bad_address'
  | 'bad_password'
  | 'bad_credentials'
  | 'account_taken'
  | 'phone_taken'
  | 'already_linked'
  | 'not_linked'
  | 'last_identity'
  | 'no_code'
  | 'wrong_code'
  | 'code_expired'
  | 'code_tries'
  | 'code_throttled'
  | 'code_send_failed'
  | 'code_locked'
  | 'code_refused'
  | 'bad_keys'
  | 'bad_signature'
  | 'too_many_prekeys'
  | 'too_many_devices'
  | 'unknown_device'
  | 'unknown_address'
  | 'unknown_person'
  | 'auth_required'
  | 'bad_frame'
  | 'device_mismatch'
  | 'envelope_too_large'
  | 'too_many_envelopes'
  | 'mailbox_full'
  | 'storage_full'
  | 'too_many_connections'
  | 'device_removed'
  | 'going_away'
  | 'unknown_blob'
  | 'blob_expired'
  | 'blob_too_large'
  | 'quota_exceeded'
  | 'blob_incomplete'
  | 'offset_mismatch'
  | 'upload_busy'
  | 'not_uploader'
  | 'range_not_satisfiable'
  | 'not_signed_in'
  | 'signed_in'
  | 'identity_changed'
  | 'closed'
  | 'network'
  | 'offline'
  | 'unknown_conversation'
  | 'unknown_message'
  | 'text_too_long'
  | 'bad_content'
  | 'corrupt_state'
  | 'storage'
  | 'canceled'
  | 'timeout'
  | 'file_tampered'
  | 'file_incomplete'
  | 'file_too_large'
  | 'too_many_transfers'
  | 'not_a_file'
  | 'cancelled'
  | 'bad_argument'
  | 'unknown_method'
  | 'load_failed'
  | 'unsupported'
  | 'base_mismatch'
  | 'core_stopped'
  | 'busy'
  ;
// END generated by internal/jsgen

/** Every rejection of a Sambung method. Switch on code; show message. */
export class SambungError extends Error {
  readonly name: 'SambungError';
  /** Stable: see docs/API.md for the list. */
  readonly code: SambungErrorCode;
  /** Seconds to wait, on 'rate_limited' and 'code_throttled'. */
  readonly retryAfter?: number;
  constructor(code: string, message?: string, retryAfter?: number);
}

export class Sambung {
  private constructor();
  /** The latest connection state, or null before the first. */
  readonly status: ConnectionState | null;
  /**
   * Calls fn with every event of that name; returns a function that stops it.
   * A 'status' listener is also called once, soon, with the current state.
   */
  on<K extends keyof EventMap>(event: K, fn: (data: EventMap[K]) => void): () => void;

  /** The signed-in profile, or null when this browser is not signed in. */
  me(): Promise<Profile | null>;
  /** Sends a 6-digit code to the phone (in development, to the relay's log). */
  requestPhoneCode(phone: string): Promise<void>;
  /** Signs up or signs in by phone with the code. */
  verifyPhone(phone: string, code: string): Promise<Profile>;
  signUp(credentials: Credentials): Promise<Profile>;
  signIn(credentials: Credentials): Promise<Profile>;
  linkPhoneCode(phone: string): Promise<void>;
  linkPhone(phone: string, code: string): Promise<Profile>;
  linkAccount(credentials: Credentials): Promise<Profile>;
  lookup(address: Address): Promise<Contact>;
  /**
   * Sends text to an address or a conversation id (the peer's person id). Resolves once the
   * message is in the outbox (status 'pending'); 'receipt' events follow.
   */
  send(to: Address | string, text: string): Promise<Message>;
  /** Marks every message up to messageId read and tells the sender. */
  markRead(conversationId: string, messageId: string): Promise<void>;
  typing(conversationId: string, typing: boolean): Promise<void>;
  /** Newest first. */
  conversations(): Promise<Conversation[]>;
  /** Oldest first: the limit (default 50, at most 500) messages before `before` (a message id). */
  history(conversationId: string, options?: { before?: string; limit?: number }): Promise<Message[]>;
  /** Encrypts, uploads and sends a file; resolves to the message once the upload is done. */
  sendFile(to: string, file: Blob | File, options?: { caption?: string; durationMs?: number; transferId?: string; name?: string }): Promise<Message>;
  /** Downloads, checks and decrypts a file message's file. */
  downloadFile(conversationId: string, messageId: string, options?: { transferId?: string }): Promise<File>;
  /** Stops a running transfer; resolves to whether one ran. */
  cancelTransfer(transferId: string): Promise<boolean>;
  safetyNumber(conversationId: string): Promise<SafetyNumber>;
  acceptIdentity(conversationId: string): Promise<void>;
  devices(): Promise<Device[]>;
  removeDevice(id: number): Promise<void>;
  signOut(): Promise<void>;
  /** Leaves the core; pending calls reject with 'closed'. */
  close(): void;
  /** Calls a conversation; rejects with 'busy' when this page is in a call already. */
  call(conversationId: string, options?: CallOptions & { video?: boolean }): Promise<Call>;
  /** The call this page is in or ringing with, or null. */
  readonly activeCall: Call | null;
  /** The relay's STUN/TURN servers for RTCPeerConnection, with a short-lived TURN credential. */
  iceServers(): Promise<{ iceServers: RTCIceServer[]; expires: number }>;
}

export interface CallOptions {
  /** How long an unanswered call rings, in ms. Default 45000. */
  ringTimeout?: number;
  /** 'relay' sends all media through TURN, hiding each side's IP address from the other. Default 'all'. */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** A call in the history. */
export interface CallRecord {
  outcome: 'missed' | 'declined' | 'busy' | 'unanswered' | 'completed';
  video: boolean;
  /** Milliseconds connected, when completed. */
  duration: number;
}

export type CallState = 'dialing' | 'ringing' | 'connecting' | 'connected' | 'ended';

export type CallEndReason = 'hangup' | 'remote_hangup' | 'declined' | 'busy' | 'timeout' | 'missed' |
  'failed' | 'answered_elsewhere' | 'declined_elsewhere';

export interface CallEventMap {
  state: CallState;
  localstream: MediaStream;
  remotestream: MediaStream;
  /** The peer's microphone and camera, and whether they are in video mode. */
  peermedia: { muted: boolean; cameraOff: boolean; video: boolean };
  ended: CallEndReason;
}

/** One 1:1 call, from s.call() or the 'incomingcall' event. */
export interface Call {
  readonly id: string;
  readonly conversationId: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly state: CallState;
  readonly endReason: CallEndReason | null;
  /** The current mode: video or voice. */
  readonly video: boolean;
  readonly muted: boolean;
  readonly cameraOn: boolean;
  readonly peer: { muted: boolean; cameraOff: boolean; video: boolean };
  readonly localStream: MediaStream | null;
  readonly remoteStream: MediaStream | null;
  readonly peerConnection: RTCPeerConnection | null;
  /** Milliseconds connected so far. */
  readonly duration: number;
  on<K extends keyof CallEventMap>(event: K, fn: (data: CallEventMap[K]) => void): () => void;
  accept(options?: { video?: boolean }): Promise<void>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  mute(on: boolean): Promise<void>;
  camera(on: boolean): Promise<void>;
  /** Switches between video (camera on) and voice. */
  setVideo(on: boolean): Promise<void>;
  getStats(): Promise<RTCStatsReport>;
}

export function open(options?: OpenOptions): Promise<Sambung>;
