// Nonblocking collectives on buffers: the arguments, checks and results of the blocking forms in collectives.ts,
// started with the MPI_I* calls and completed by the progress engine (request.ts). Every rank starts them in the
// same order; a request resolves with what the blocking form returns.
import type { Comm } from './comm';
import {
  alltoallTarget, gatherTarget, inputKind, reduceTarget, reductionTarget, resultKind, scatterSource,
} from './collectives';
import { checkRoot, checkedKind, messageKind } from './errors';
import { native } from './native';
import type { Op } from './op';
import { Request, collectiveRequest } from './request';

type Buf = ArrayBufferView;

// A user op's function runs while the engine polls, and an exception it throws fails the request.
function isUserOp(op: Op): boolean {
  return op.handle >= native.builtinOps.length;
}

export function ibarrier(comm: Comm): Request<void> {
  return collectiveRequest(native.ibarrier(comm.handle), [], undefined);
}

export function ibcast<T extends Buf>(comm: Comm, buf: T, root: number): Request<T> {
  const kind = messageKind(buf, 'buf');
  return collectiveRequest(native.ibcast(comm.handle, buf, checkRoot(root, comm.size), kind), [buf], buf);
}

export function ireduce<T extends Buf>(comm: Comm, sendbuf: T, op: Op, root: number, out?: T | null):
  Request<T | null> {
  const recv = reduceTarget(comm, sendbuf, op, root, out);
  const send = recv === sendbuf ? null : sendbuf;
  const id = native.ireduce(comm.handle, send, recv, op.handle, root, inputKind(sendbuf, recv), resultKind(recv, out));
  return collectiveRequest(id, [send, recv], recv, isUserOp(op));
}

export function iallreduce<T extends Buf>(comm: Comm, sendbuf: T, op: Op, out?: T | null): Request<T> {
  const recv = reductionTarget(sendbuf, op, out);
  const send = recv === sendbuf ? null : sendbuf;
  const id = native.iallreduce(comm.handle, send, recv, op.handle, inputKind(sendbuf, recv), resultKind(recv, out));
  return collectiveRequest(id, [send, recv], recv, isUserOp(op));
}

export function igather<T extends Buf>(comm: Comm, sendbuf: T, root: number, out?: T | null): Request<T | null> {
  const recv = gatherTarget(comm, sendbuf, root, out);
  return collectiveRequest(native.igather(comm.handle, sendbuf, recv, root, checkedKind(sendbuf, 'sendbuf'),
    resultKind(recv, out)), [sendbuf, recv], recv);
}

export function iallgather<T extends Buf>(comm: Comm, sendbuf: T, out?: T | null): Request<T> {
  const recv = gatherTarget(comm, sendbuf, undefined, out) as T;
  return collectiveRequest(native.iallgather(comm.handle, sendbuf, recv, checkedKind(sendbuf, 'sendbuf'),
    resultKind(recv, out)), [sendbuf, recv], recv);
}

export function iscatter<T extends Buf>(comm: Comm, sendbuf: T | null, recvbuf: T, root: number): Request<T> {
  const send = scatterSource(comm, sendbuf, recvbuf, root);
  const id = native.iscatter(comm.handle, send, recvbuf, root, checkedKind(recvbuf, 'recvbuf'),
    send === null ? NaN : checkedKind(send, 'sendbuf'));
  return collectiveRequest(id, [send, recvbuf], recvbuf);
}

export function ialltoall<T extends Buf>(comm: Comm, sendbuf: T, out?: T | null): Request<T> {
  const recv = alltoallTarget(comm, sendbuf, out);
  return collectiveRequest(native.ialltoall(comm.handle, sendbuf, recv, checkedKind(sendbuf, 'sendbuf'),
    resultKind(recv, out)), [sendbuf, recv], recv);
}
