import { EventEmitter } from 'node:events';
import type { EngineEvents } from '../../shared/events.js';

/** A typed event bus; `on` returns its own unsubscribe function. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  emit<K extends keyof EngineEvents>(name: K, payload: EngineEvents[K]): void {
    this.emitter.emit(name, payload);
  }
  on<K extends keyof EngineEvents>(name: K, listener: (payload: EngineEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
