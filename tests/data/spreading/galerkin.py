#!/usr/bin/python3
"""Equipotential square spot (side beta*L, centred) on top of unit cube, bottom V=0,
insulating elsewhere.  Galerkin (Thomson / minimum-dissipation) upper bound with flux
basis  j(x,y) = sum_ij a_ij T_2i(u) T_2j(v) / sqrt((1-u^2)(1-v^2)),  u,v in [-1,1]
(edge square-root singularity built in), exact cosine-series Green operator
(kernel tanh(k)/k, k = 2 pi sqrt(p^2+q^2), Dirichlet bottom, Neumann sides).
Fourier projections are analytic: int T_2i(u) cos(w u)/sqrt(1-u^2) du = pi (-1)^i J_2i(w).
Fourier box 0<=p,q<=P summed exactly; outside box the Bessel products are replaced by
their 2-term large-argument asymptotics and summed out to PFAR plus an integral remainder.
"""
import numpy as np, sys
from scipy.special import jv
from scipy.integrate import quad

def Kmat(p, q):
    k = 2*np.pi*np.sqrt(p[:, None]**2 + q[None, :]**2)
    with np.errstate(divide='ignore', invalid='ignore'):
        K = np.tanh(k)/k
    K[k == 0] = 1.0
    return K

def galerkin(beta, N, P, PFAR=None, tail=True, ret_all=False):
    PFAR = PFAR or 40*P
    p = np.arange(P + 1.0)
    w = np.where(p > 0, 2.0, 1.0)
    om = p*np.pi*beta
    n = 2*np.arange(N)
    F = np.pi*((-1.0)**np.arange(N))[None, :]*jv(n[None, :], om[:, None])   # (P+1, N)
    G = (F[:, :, None]*F[:, None, :]).reshape(P + 1, N*N)                   # G_p^{ik}
    A = w[:, None]*G
    K = Kmat(p, p)
    M = A.T @ (K @ A)                         # index ((ik),(jl))
    if tail:
        mu = (n.astype(float))**2*4 - 1        # 4 n^2 - 1, n = 2i
        musum = (mu[:, None] + mu[None, :]).reshape(N*N)
        # tail functions for p > P : G ~ pi*(ha + hb) + pi/8*(mu_i+mu_k)*hc
        pt = np.arange(P + 1.0, PFAR + 1.0)
        omt = pt*np.pi*beta
        ha = 1/omt; hb = np.sin(2*omt)/omt; hc = np.cos(2*omt)/omt**2
        # S_x(q) = sum_{p>P} 2 K_pq h_x(p),  q = 0..P
        S = np.zeros((3, P + 1))
        for c0 in range(0, len(pt), 20000):
            Kt = Kmat(pt[c0:c0+20000], p)          # (chunk, P+1)
            for s, h in enumerate((ha, hb, hc)):
                S[s] += 2*(h[c0:c0+20000] @ Kt)
        X = PFAR + 0.5                             # integral remainder of ha part
        qq = p.copy()
        rem = np.where(qq > 0, np.arcsinh(qq/np.maximum(X, 1))/np.where(qq > 0, qq, 1)/(np.pi**2*beta), 1/(np.pi**2*beta*X))
        S[0] += rem
        # T1[(ik),(jl)] = sum_q w_q G_q^{jl} * [pi(Sa+Sb) + pi/8 musum_ik Sc](q)
        v1 = np.pi*(S[0] + S[1])                   # (P+1,)
        vc = np.pi/8*S[2]
        colA = A.T @ v1                            # (N*N,) over (jl)
        colC = A.T @ vc
        T1 = np.ones(N*N)[:, None]*colA[None, :] + musum[:, None]*colC[None, :]
        M += T1 + T1.T
        # T3: p,q > P both asymptotic; U_xy = sum 4 K h_x(p) h_y(q)
        Q2 = min(PFAR, 16*P)
        pt2 = np.arange(P + 1.0, Q2 + 1.0); o2 = pt2*np.pi*beta
        H = np.stack([1/o2, np.sin(2*o2)/o2, np.cos(2*o2)/o2**2])
        U = np.zeros((3, 3))
        for c0 in range(0, len(pt2), 4000):
            Kt = Kmat(pt2[c0:c0+4000], pt2)
            U += 4*H[:, c0:c0+4000] @ Kt @ H.T
        # remainder for (a,a): region p,q>=X0, max(p,q)>Y, integrand 4/(2 pi rho) /(pi beta)^2/(pq)
        X0 = P + 0.5; Y = Q2 + 0.5
        f1 = quad(lambda t: np.arcsinh(t/X0)/t**2, Y, np.inf, limit=200)[0]
        Iinf = quad(lambda t: np.arcsinh(t)/t**2, 1, np.inf, limit=200)[0]
        remaa = (2*f1 - Iinf/Y)*4/(2*np.pi)/(np.pi*beta)**2
        U[0, 0] += remaa
        # G_p = pi*(ha+hb) + pi/8*ms*hc  -> coefficient vectors
        e = np.ones(N*N)
        cvec = [np.pi*e, np.pi*e, np.pi/8*musum]   # multipliers of ha, hb, hc
        T3 = np.zeros((N*N, N*N))
        for x in range(3):
            for y in range(3):
                T3 += U[x, y]*np.outer(cvec[x], cvec[y])
        M += T3
    # constraint: I = beta^2/4 * pi^2 * a_00 ; scale-free: R = 1/(pi^4 (M^-1)_{00,00})
    M = M.reshape(N, N, N, N).transpose(0, 2, 1, 3).reshape(N*N, N*N)   # -> ((ij),(kl))
    rhs = np.zeros(N*N); rhs[0] = 1.0
    sol = np.linalg.solve(M, rhs)
    R = 1/(np.pi**4*sol[0])
    if ret_all:
        return R, sol
    return R

if __name__ == "__main__":
    beta = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    for P in (250, 500, 1000, 2000):
        for N in (1, 2, 4, 6, 8, 10, 12):
            R = galerkin(beta, N, P)
            R0 = galerkin(beta, N, P, tail=False)
            print(f"beta={beta} P={P:5d} N={N:2d}  R={R:.8f}   (no tail: {R0:.8f})", flush=True)
