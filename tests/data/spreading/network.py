#!/usr/bin/python3
"""Independent check: finite-volume (voxel resistor network) model of the same problem,
n x n x n cubic voxels of side h=L/n, nodes at voxel centres, conductance sigma*h between
neighbours, half-voxel conductance 2*sigma*h to the bottom plate (V=0) and from the top
spot (V=1) to the spot voxels.  Top-surface transfer impedance is diagonal in the 2-D
DCT-II basis (exact for the network); the spot equations (Z_SS + 1/g) J = 1 are solved
by CG.  Isoflux: uniform injection into spot voxels, R = mean(V_spot)/I (no contact term).
"""
import numpy as np, sys
from scipy.fft import dctn, idctn
from scipy.sparse.linalg import cg, LinearOperator

def zhat(n):
    lam1 = 4*np.sin(np.pi*np.arange(n)/(2*n))**2
    lam = lam1[:, None] + lam1[None, :]
    r = 3 + lam                      # r_1 = v1/v0 (bottom half-cell to plate)
    for _ in range(n - 2):
        r = 2 + lam - 1/r
    if n == 1:
        return 1/(2 + lam)           # not used
    return 1/((1 + lam) - 1/r)       # units of 1/(sigma h)

def solve(n, beta, tol=1e-12):
    m = int(round(beta*n)); assert abs(m - beta*n) < 1e-9 and (n - m) % 2 == 0
    s0 = (n - m)//2
    z = zhat(n)                      # V_top = Z J, Z in units 1/(sigma h)
    def Z(J):
        full = np.zeros((n, n)); full[s0:s0+m, s0:s0+m] = J.reshape(m, m)
        V = idctn(z*dctn(full, norm='ortho'), norm='ortho')
        return V[s0:s0+m, s0:s0+m].ravel()
    # equipotential: (Z + 1/2) J = 1   (g = 2 sigma h -> 1/g = 1/2 in units 1/(sigma h))
    A = LinearOperator((m*m, m*m), matvec=lambda J: Z(J) + 0.5*J, dtype=float)
    J, info = cg(A, np.ones(m*m), tol=tol, maxiter=5000) if 'tol' in cg.__code__.co_varnames else cg(A, np.ones(m*m), rtol=tol, maxiter=5000)
    assert info == 0
    Req = n/J.sum()                  # R*sigma*L = (1/I)[1/(sigma h)] * sigma L, L = n h
    # isoflux: uniform J, mean voltage at spot voxel centres (+ contact half cell ignored)
    Ju = np.ones(m*m)/(m*m)
    Riso = Z(Ju).mean()*n + 1/(2*beta**2*n)   # + half-voxel drop to the top surface
    return Req, Riso

if __name__ == "__main__":
    beta = float(sys.argv[1])
    ns = [int(x) for x in sys.argv[2].split(',')]
    for n in ns:
        Req, Riso = solve(n, beta)
        print(f"beta={beta} n={n:5d}  R_eq={Req:.8f}  R_iso={Riso:.8f}", flush=True)
