import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  removeReplicaFromIsr,
} from './Election';

const liveOf =
  (...ids: number[]) =>
  (id: number) =>
    ids.includes(id);

describe('Broker > controller > Election', () => {
  describe('offlinePartitionLeaderElection', () => {
    it('picks the first live ISR member in assignment order, not ISR order; keeps ISR order', () => {
      const r = offlinePartitionLeaderElection([3, 1, 2], [2, 1, 3], liveOf(1, 2), () => false);
      expect(r).toEqual({ leader: 1, isr: [2, 1], unclean: false });
    });
    it('does not ask about unclean election while an ISR member is live', () => {
      const unclean = jest.fn(() => true);
      offlinePartitionLeaderElection([1, 2], [2], liveOf(1, 2), unclean);
      expect(unclean).not.toHaveBeenCalled();
    });
    it('no live ISR member and unclean disabled: no leader', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [1], liveOf(2, 3), () => false)).toBeNull();
    });
    it('no live ISR member and unclean enabled: the first live replica, ISR [it]', () => {
      const r = offlinePartitionLeaderElection([1, 3, 2], [1], liveOf(2, 3), () => true);
      expect(r).toEqual({ leader: 3, isr: [3], unclean: true });
    });
    it('no live replica at all: no leader even with unclean enabled', () => {
      expect(offlinePartitionLeaderElection([1, 2], [1], liveOf(), () => true)).toBeNull();
    });
  });

  describe('preferredReplicaPartitionLeaderElection', () => {
    it('the first assigned replica when live and in the ISR; ISR unchanged', () => {
      expect(preferredReplicaPartitionLeaderElection([2, 1], [1, 2], liveOf(1, 2))).toEqual({
        leader: 2,
        isr: [1, 2],
        unclean: false,
      });
    });
    it('fails when the preferred replica is dead or out of the ISR', () => {
      expect(preferredReplicaPartitionLeaderElection([2, 1], [1, 2], liveOf(1))).toBeNull();
      expect(preferredReplicaPartitionLeaderElection([2, 1], [1], liveOf(1, 2))).toBeNull();
    });
  });

  describe('controlledShutdownPartitionLeaderElection', () => {
    it('skips shutting-down brokers and drops them from the ISR', () => {
      const r = controlledShutdownPartitionLeaderElection(
        [1, 2, 3],
        [1, 2, 3],
        liveOf(1, 2, 3),
        new Set([1]),
      );
      expect(r).toEqual({ leader: 2, isr: [2, 3], unclean: false });
    });
    it('no other ISR member: no leader', () => {
      expect(
        controlledShutdownPartitionLeaderElection([1, 2], [1], liveOf(1, 2), new Set([1])),
      ).toBeNull();
    });
  });

  describe('removeReplicaFromIsr', () => {
    it('removes a follower; the leader stays', () => {
      expect(removeReplicaFromIsr(1, [1, 2, 3], 2)).toEqual({ leader: 1, isr: [1, 3] });
    });
    it('removing the leader leaves leader -1', () => {
      expect(removeReplicaFromIsr(1, [1, 2], 1)).toEqual({ leader: -1, isr: [2] });
    });
    it('never empties the ISR: the last member stays listed with leader -1', () => {
      expect(removeReplicaFromIsr(2, [2], 2)).toEqual({ leader: -1, isr: [2] });
    });
    it('nothing to write for a replica outside the ISR', () => {
      expect(removeReplicaFromIsr(1, [1, 2], 3)).toBeNull();
    });
  });
});
