// Cartesian process topologies.
import { Comm } from './comm';
import { checkInt } from './errors';
import { native } from './native';

/** A communicator whose ranks form a Cartesian grid; made by `Comm.createCart`. */
export class CartComm extends Comm {
  /** The grid's extent in each dimension. */
  readonly dims: number[];
  /** Whether each dimension wraps around. */
  readonly periods: boolean[];
  /** This rank's coordinates in the grid. */
  readonly coords: number[];

  /** @internal */
  constructor(handle: number) {
    super(handle);
    const layout = native.cartGet(handle);
    this.dims = layout.dims;
    this.periods = layout.periods.map((p) => p !== 0);
    this.coords = layout.coords;
  }

  /** A new communicator with the same grid and a separate message context (`MPI_Comm_dup`). Collective. */
  override dup(): CartComm {
    return new CartComm(native.commDup(this.handle));
  }

  /**
   * The ranks `disp` steps away along `direction` (`MPI_Cart_shift`): receive from `source`, send to `dest`.
   * Off the edge of a non-periodic dimension they are `PROC_NULL`.
   */
  shift(direction: number, disp = 1): { source: number; dest: number } {
    const [source, dest] = native.cartShift(this.handle, checkInt(direction, 'direction', 0, this.dims.length - 1),
      checkInt(disp, 'disp'));
    return { source, dest };
  }

  /** The rank at the given coordinates (`MPI_Cart_rank`); periodic dimensions wrap. */
  rankOf(coords: number[]): number {
    if (!Array.isArray(coords) || coords.length !== this.dims.length) {
      throw new TypeError(`coords must be an array of ${this.dims.length} integers`);
    }
    coords.forEach((c, i) => {
      if (this.periods[i]) checkInt(c, `coords[${i}]`);
      else checkInt(c, `coords[${i}]`, 0, this.dims[i] - 1);
    });
    return native.cartRank(this.handle, coords);
  }
}

/** A balanced split of `nnodes` processes into a grid of `ndims` dimensions (`MPI_Dims_create`). */
export function computeDims(nnodes: number, ndims: number): number[] {
  const n = checkInt(nnodes, 'nnodes', 1);
  const d = checkInt(ndims, 'ndims', 1, 64);
  return native.dimsCreate(n, new Array<number>(d).fill(0));
}
