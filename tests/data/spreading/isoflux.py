#!/usr/bin/python3
"""Exact isoflux (uniform current density) resistance of a centred bx x by spot on
top of an Lx x Ly x H prism, insulating sides, equipotential bottom (V=0).
Resistance defined with the spot-AVERAGED potential (Yovanovich/Muzychka/Culham).
R*sigma = H/(Lx Ly) + sum_{(p,q)!=(0,0)} w_p w_q S_p^2 S_q^2 tanh(k H)/(k Lx Ly)
  k = 2 pi sqrt((p/Lx)^2+(q/Ly)^2),  S_p = sin(p pi bx/Lx)/(p pi bx/Lx), S_0=1,
  w_0 = 1, w_p = 2 (p>=1).
"""
import numpy as np, sys

def r_iso(bx, by, Lx=1.0, Ly=1.0, H=1.0, P=4000, Q=None):
    Q = P if Q is None else Q
    p = np.arange(P + 1.0); q = np.arange(Q + 1.0)
    Sp = np.ones_like(p); Sp[1:] = np.sin(p[1:]*np.pi*bx/Lx)/(p[1:]*np.pi*bx/Lx)
    Sq = np.ones_like(q); Sq[1:] = np.sin(q[1:]*np.pi*by/Ly)/(q[1:]*np.pi*by/Ly)
    wp = np.where(p > 0, 2.0, 1.0); wq = np.where(q > 0, 2.0, 1.0)
    ap = wp*Sp**2; aq = wq*Sq**2
    tot = 0.0
    for i0 in range(0, P + 1, 1000):
        pp = p[i0:i0+1000, None]
        k = 2*np.pi*np.sqrt((pp/Lx)**2 + (q[None, :]/Ly)**2)
        with np.errstate(divide='ignore', invalid='ignore'):
            Kk = np.where(k > 0, np.tanh(k*H)/np.where(k > 0, k, 1.0), H)
        tot += (ap[i0:i0+1000, None]*aq[None, :]*Kk).sum()
    return tot/(Lx*Ly)

if __name__ == "__main__":
    for f in (1.0, 0.25, 0.0625):
        b = np.sqrt(f)
        for P in (500, 1000, 2000, 4000, 8000):
            print(f"f={f:<7} b={b:<6} P={P:5d}  R_iso*sigma*L = {r_iso(b, b, P=P):.10f}")
    # half-space limit: beta*(R-1) -> 0.4732 (isoflux square, mean temperature)
    for b in (1/8, 1/16, 1/32, 1/64):
        print(f"b={b:.5f}  b*(R_iso-1) = {b*(r_iso(b, b, P=4000)-1):.6f}")
    print("exact half-space isoflux square: ", (4*np.log(1+np.sqrt(2)) - 4/3*(np.sqrt(2)-1))/(2*np.pi))
