import sys, numpy as np
# Richardson on doubling sequence, assumed error exps
def table(vals, exps):
    T=[list(vals)]
    for e in exps:
        prev=T[-1]; f=2.0**e
        T.append([(f*prev[i+1]-prev[i])/(f-1) for i in range(len(prev)-1)])
    for row in T: print(' '.join(f"{v:.7f}" for v in row))
lines=[l for l in open(sys.argv[1]) if 'R_eq' in l]
eq=[float(l.split('R_eq=')[1].split()[0]) for l in lines]
iso=[float(l.split('R_iso=')[1].split()[0]) for l in lines]
print("eq, exps 1,2,3:"); table(eq,[1,2,3])
print("eq, exps 1,1.5,2:"); table(eq,[1,1.5,2])
print("iso, exps 2,3:"); table(iso,[2,3])
