import type { MerchantNotification, QueueNotification } from '../../core/saga/notification';

/** A QueueNotification port that keeps what it was given, in order (the saga steps' notification queue). */
export function notificationRecorder(): {
  readonly queue: QueueNotification;
  readonly sent: MerchantNotification[];
} {
  const sent: MerchantNotification[] = [];
  return {
    sent,
    queue: async (notification) => {
      sent.push(structuredClone(notification));
    },
  };
}
